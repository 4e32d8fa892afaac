package dev.specd.serving.scheduler;

/**
 * What the inference thread reports about one generation after an iteration in which it emitted
 * tokens or ended.
 *
 * @param text new text safe to stream (always empty for generations that do not stream)
 * @param tokens tokens emitted in this iteration
 * @param result how the generation ended, or null while it runs
 */
public record Update(String text, int tokens, Result result) {

    /**
     * @param text the whole generated text (cut before a stop string)
     * @param completionTokens generated tokens, the one that ended generation included
     * @param draftVersion the draft version the generation pinned, else the one serving when it ended
     *     (a swap during it changes the draft for its remaining steps); null without a draft model
     */
    public record Result(Ending ending, String text, int promptTokens, int completionTokens,
            SpeculationTotals speculation, String draftVersion) {}

    public boolean finished() {
        return result != null;
    }
}
