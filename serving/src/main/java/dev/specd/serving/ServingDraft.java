package dev.specd.serving;

import dev.specd.model.CausalLM;

/** A registered draft version ({@code vNNNN}) loaded for serving. */
record ServingDraft(String version, CausalLM model) {

    /** The version's number: 0 for the base draft. */
    int number() {
        return Integer.parseInt(version.substring(1));
    }
}
