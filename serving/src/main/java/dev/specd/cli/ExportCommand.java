package dev.specd.cli;

import dev.specd.model.gguf.GgufExportOptions;
import dev.specd.model.gguf.GgufExportSummary;
import dev.specd.model.gguf.GgufTensorType;
import dev.specd.model.gguf.LlamaCppPreTokenizer;
import dev.specd.model.gguf.LlamaGgufExport;
import dev.specd.trainer.online.DraftRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code specd export}: checkpoints in formats other tools load. */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Write a checkpoint in another format.",
        subcommands = {ExportCommand.Gguf.class})
final class ExportCommand implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    @Command(name = "gguf", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Write a Llama-family checkpoint as GGUF (llama architecture) for llama.cpp "
                    + "(llama-server --model-draft, llama-speculative) and Ollama.",
                    "  specd export gguf MODEL_DIR OUT.gguf",
                    "  specd export gguf --draft-version vNNNN OUT.gguf",
                    "Refuses, saying why, a model or tokenizer llama.cpp would run differently from specd."})
    static final class Gguf implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..2", paramLabel = "PATH",
                description = "MODEL_DIR OUT.gguf, or only OUT.gguf with --draft-version.")
        List<Path> paths = new ArrayList<>();

        @Option(names = "--draft-version", paramLabel = "vNNNN",
                description = "Export this version of the draft registry under --data-dir, after checking its "
                        + "files against their manifest's SHA-256.")
        String draftVersion;

        @Option(names = "--data-dir", defaultValue = "data", paramLabel = "DIR",
                description = "Data directory holding drafts/ (default ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--outtype", defaultValue = "f16", paramLabel = "TYPE",
                description = "Type of the weight matrices, f16 or f32; norms are always f32 (default ${DEFAULT-VALUE}).")
        GgufTensorType outType;

        @Option(names = "--name", paramLabel = "NAME",
                description = "general.name (default: the model directory's name, or the draft version).")
        String name;

        @Option(names = "--force-pre-tokenizer", paramLabel = "NAME",
                description = "Name this llama.cpp pre-tokenizer although its regex differs from the tokenizer's: "
                        + "llama.cpp will then split some texts into other tokens than specd. One of: ${COMPLETION-CANDIDATES}.",
                completionCandidates = PreTokenizerNames.class)
        String forcedPreTokenizer;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            PrintWriter out = spec.commandLine().getOut();
            try {
                Path modelDir;
                Path output;
                String defaultName = null;
                if (draftVersion != null) {
                    if (paths.size() != 1) {
                        throw new CommandLine.ParameterException(spec.commandLine(),
                                "with --draft-version give only OUT.gguf, got " + paths);
                    }
                    modelDir = DraftRegistry.existing(dataDir).verify(draftVersion).directory();
                    output = paths.getFirst();
                    defaultName = "specd-draft-" + draftVersion;
                } else {
                    if (paths.size() != 2) {
                        throw new CommandLine.ParameterException(spec.commandLine(),
                                "give MODEL_DIR and OUT.gguf (or --draft-version vNNNN OUT.gguf), got " + paths);
                    }
                    modelDir = paths.getFirst();
                    output = paths.getLast();
                }
                GgufExportSummary summary = LlamaGgufExport.export(modelDir, output,
                        new GgufExportOptions(outType, name != null ? name : defaultName, forcedPreTokenizer));
                out.printf("wrote %s: %,d bytes, '%s', %d tensors (%s matrices, F32 norms), %d keys, vocabulary %d, "
                                + "pre-tokenizer %s%n", summary.file(), summary.bytes(), summary.name(),
                        summary.tensors(), summary.matrixType(), summary.metadataKeys(), summary.vocabSize(),
                        summary.preTokenizer());
                if (summary.preTokenizerForced()) {
                    err.println("warning: pre-tokenizer " + summary.preTokenizer() + " was forced: llama.cpp splits "
                            + "some texts differently from this model's tokenizer.json");
                }
                return 0;
            } catch (IOException | IllegalArgumentException e) {
                err.println("specd export gguf: " + e.getMessage());
                return 1;
            }
        }
    }

    /** The pre-tokenizer names --force-pre-tokenizer accepts, for its help. */
    static final class PreTokenizerNames extends ArrayList<String> {
        PreTokenizerNames() {
            super(LlamaCppPreTokenizer.KNOWN.stream().map(LlamaCppPreTokenizer::name).collect(Collectors.toList()));
        }
    }
}
