package dev.specd.trainer.online;

import java.nio.file.Path;

/**
 * Told when the draft serving should use changes: a candidate was promoted, or an operator rolled
 * back. Serving loads the checkpoint in {@code directory} (already verified against its manifest)
 * and swaps it in between two scheduler iterations. Called on the training thread: return quickly.
 */
@FunctionalInterface
public interface DraftListener {

    void onPromoted(String version, Path directory);

    DraftListener NONE = (version, directory) -> {};
}
