package dev.specd.trainer.online;

import java.nio.file.Path;

/** A registered draft: its name ({@code vNNNN}), its Hugging Face checkpoint directory and its manifest. */
public record DraftVersion(String name, Path directory, DraftManifest manifest) {}
