package dev.specd.verifier;

/**
 * A drafter that the sequences started with it keep for their whole life, instead of following the
 * decoder's live drafter (which {@link SpeculativeDecoder#replaceDrafter} may replace under them),
 * together with the acceptance learned from those sequences: their new siblings start adaptive γ
 * from it, and another draft's steps would mislead the live drafter's estimate. Made by
 * {@link SpeculativeDecoder#pin} on any thread, used by the stepping thread only. Whoever made it
 * closes the drafter, once every sequence started with it has been released.
 */
public final class PinnedDrafter {

    private final Drafter drafter;
    private final AdaptiveSpeculation population;

    PinnedDrafter(Drafter drafter, AdaptiveSpeculation population) {
        this.drafter = drafter;
        this.population = population;
    }

    public Drafter drafter() {
        return drafter;
    }

    AdaptiveSpeculation population() {
        return population;
    }
}
