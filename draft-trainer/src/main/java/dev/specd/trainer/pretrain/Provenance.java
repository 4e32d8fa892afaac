package dev.specd.trainer.pretrain;

/**
 * Where a domain's text came from and the terms it is under, as a model card lists them.
 *
 * @param domain the corpus domain, for example {@code java}
 * @param origin what the text is and where on this machine (or in which package) it was found
 * @param license an SPDX expression where one applies, otherwise the terms in words
 */
public record Provenance(String domain, String origin, String license) {}
