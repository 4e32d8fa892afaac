package dev.specd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.specd.model.ModelConfig;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.safetensors.DType;
import dev.specd.trainer.online.DraftRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code specd export gguf} on a tiny random checkpoint with a GPT-2-style byte-level tokenizer. */
class ExportCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int END_OF_TEXT = 256;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void exportsAModelDirectory() throws IOException {
        Path model = writeModel(ModelConfig.llama(END_OF_TEXT + 1, 32, 48, 1, 4, 2, 64, false, END_OF_TEXT, END_OF_TEXT));

        assertEquals(0, run("export", "gguf", model.toString(), dir.resolve("tiny.gguf").toString()), err.toString());
        assertTrue(Files.size(dir.resolve("tiny.gguf")) > 0);
        assertTrue(out.toString().contains("'model'") && out.toString().contains("pre-tokenizer gpt-2"), out.toString());
        assertTrue(out.toString().contains("F16 matrices"), out.toString());
    }

    @Test
    void exportsARegisteredDraftVersionOnlyWhileItMatchesItsManifest() throws IOException {
        Path model = writeModel(ModelConfig.llama(END_OF_TEXT + 1, 32, 48, 1, 4, 2, 64, true, END_OF_TEXT, END_OF_TEXT));
        Path data = dir.resolve("data");
        DraftRegistry.open(data).registerBase(model);
        Path out1 = dir.resolve("draft.gguf");

        assertEquals(0, run("export", "gguf", "--data-dir", data.toString(), "--draft-version", "v0000",
                "--outtype", "f32", out1.toString()), err.toString());
        assertTrue(out.toString().contains("'specd-draft-v0000'") && out.toString().contains("F32 matrices"),
                out.toString());

        Path weights = data.resolve("drafts/v0000/model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 1] ^= 1;
        Files.write(weights, bytes);
        Path out2 = dir.resolve("corrupt.gguf");
        assertEquals(1, run("export", "gguf", "--data-dir", data.toString(), "--draft-version", "v0000",
                out2.toString()));
        assertTrue(err.toString().contains("does not match its manifest"), err.toString());
        assertFalse(Files.exists(out2));
    }

    @Test
    void refusalsExitWithTheReasonAndWriteNothing() throws IOException {
        Path model = writeModel(new ModelConfig(ModelConfig.QWEN2, END_OF_TEXT + 1, 32, 48, 1, 4, 1, 8, 1e6, 1.0, 1e-6,
                true, true, false, 64, 64, END_OF_TEXT, List.of(END_OF_TEXT), "float32"));

        assertEquals(1, run("export", "gguf", model.toString(), dir.resolve("qwen.gguf").toString()));
        assertTrue(err.toString().contains("Qwen2"), err.toString());
        assertFalse(Files.exists(dir.resolve("qwen.gguf")));
    }

    @Test
    void wrongNumberOfPathsIsAUsageError() throws IOException {
        Path model = writeModel(ModelConfig.llama(END_OF_TEXT + 1, 32, 48, 1, 4, 2, 64, false, END_OF_TEXT, END_OF_TEXT));

        assertEquals(2, run("export", "gguf", "--draft-version", "v0001", model.toString(), "x.gguf"));
        assertTrue(err.toString().contains("only OUT.gguf"), err.toString());
        assertEquals(2, run("export", "gguf", "x.gguf"));
    }

    @Test
    void helpNamesTheKnownPreTokenizers() {
        String help = new CommandLine(new ExportCommand.Gguf()).getUsageMessage();
        assertTrue(help.contains("smaug-bpe") && help.contains("--outtype") && help.contains("--draft-version"), help);
    }

    private int run(String... args) {
        CommandLine commandLine = SpecdCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private Path writeModel(ModelConfig config) throws IOException {
        Path model = dir.resolve("model");
        LlamaWeights.write(model, config, LlamaWeights.initialise(config, 1, 0.02), DType.F32);
        JSON.writeValue(model.resolve("tokenizer.json").toFile(), gpt2Tokenizer());
        return model;
    }

    /** GPT-2's layout: 256 byte symbols, no merges, then the end-of-text token. */
    private static ObjectNode gpt2Tokenizer() {
        ObjectNode tokenizer = JSON.createObjectNode();
        tokenizer.putArray("added_tokens").addObject().put("id", END_OF_TEXT).put("content", "<|endoftext|>")
                .put("special", true);
        tokenizer.putNull("normalizer");
        tokenizer.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("use_regex", true);
        tokenizer.putNull("post_processor");
        tokenizer.putObject("decoder").put("type", "ByteLevel");
        ObjectNode model = tokenizer.putObject("model").put("type", "BPE");
        ObjectNode vocab = model.putObject("vocab");
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            vocab.put(Character.toString(printable ? b : next++), b);
        }
        vocab.put("<|endoftext|>", END_OF_TEXT);
        model.putArray("merges");
        return tokenizer;
    }
}
