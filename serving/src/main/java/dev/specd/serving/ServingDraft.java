package dev.specd.serving;

import dev.specd.model.llama.Transformer;

/** A registered draft version ({@code vNNNN}) loaded for serving. */
record ServingDraft(String version, Transformer model) {

    /** The version's number: 0 for the base draft. */
    int number() {
        return Integer.parseInt(version.substring(1));
    }
}
