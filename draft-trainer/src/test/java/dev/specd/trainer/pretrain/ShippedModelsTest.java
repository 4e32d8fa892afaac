package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.Tokenizer;
import dev.specd.model.llama.Transformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default pair shipped under {@code models/} loads, and scoring the Java held-out windows again
 * on this machine gives the held-out losses its model card states. Java is the domain every
 * machine of this kind has byte for byte (the JDK's {@code lib/src.zip}); the other corpora depend
 * on installed packages.
 */
class ShippedModelsTest {

    private static final Path MODELS = Path.of("..", "models");
    /**
     * The card prints three decimals; recomputation differs only in float summation order, unless a
     * JDK of another patch release holds slightly different held-out files.
     */
    private static final double LOSS_TOLERANCE = 0.02;

    @Test
    void shippedPairReproducesTheModelCardsJavaHeldOutLoss(@TempDir Path tokenCache) throws IOException {
        PretrainOptions defaults = PretrainOptions.defaults();
        Corpus java = Corpus.load(JdkSourceCorpus.ofRunningJdk(), defaults.bytesPerDomain());
        try (Tokenizer tokenizer = Tokenizer.load(MODELS.resolve(PairTraining.TARGET_DIR));
                Transformer target = Transformer.load(MODELS.resolve(PairTraining.TARGET_DIR), Device.cpu(), DataType.FLOAT32);
                Transformer draft = Transformer.load(MODELS.resolve(PairTraining.DRAFT_DIR), Device.cpu(), DataType.FLOAT32)) {
            TokenizedDomain domain = TokenizedDomain.of(java, tokenizer,
                    MODELS.resolve(PairTraining.TARGET_DIR).resolve(Tokenizer.FILE_NAME), PairTraining.endOfTextId(tokenizer),
                    tokenCache);
            HeldOutEvaluation.DomainResult result = HeldOutEvaluation.evaluate(target, draft, List.of(domain),
                    PretrainOptions.EVALUATION_WINDOWS, defaults.sequenceLength()).getFirst();
            double[] card = cardLosses("java");
            assertEquals(card[0], result.targetLoss(), LOSS_TOLERANCE, "target held-out loss");
            assertEquals(card[1], result.draftLoss(), LOSS_TOLERANCE, "draft held-out loss");
            assertTrue(result.targetLoss() < result.draftLoss(), "the target predicts held-out Java better than its draft");
        }
    }

    /** (target loss, draft loss) from the card's evaluation table row of {@code domain}. */
    private static double[] cardLosses(String domain) throws IOException {
        for (String line : Files.readAllLines(MODELS.resolve(ModelCard.FILE_NAME))) {
            String[] cells = line.split("\\|");
            if (cells.length > 3 && cells[1].trim().equals(domain) && cells[2].trim().matches("[0-9.]+")) {
                return new double[] {Double.parseDouble(cells[2].trim()), Double.parseDouble(cells[3].trim())};
            }
        }
        throw new AssertionError("no evaluation row for " + domain + " in the model card");
    }
}
