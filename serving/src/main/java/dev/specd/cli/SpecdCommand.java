package dev.specd.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code specd} command line; {@code ./specd} at the repository root builds and runs it.
 *
 * <pre>
 *   ./specd serve                  the OpenAI-compatible server on models/default, training its draft
 *   ./specd train                  the online trainer as a process of its own (serve --trainer off)
 *   ./specd pretrain               make the default model pair under models/
 *   ./specd bench model            forward-pass benchmark, JSON on stdout
 *   ./specd bench projection       one projection of the java backend across 1-6 inputs, JSON on stdout
 *   ./specd bench spec             speculative decoding per domain, JSON on stdout
 *   ./specd loadtest               load a running server, write a report with charts
 *   ./specd export gguf DIR OUT    a checkpoint as GGUF for llama.cpp and Ollama
 * </pre>
 */
@Command(name = "specd", mixinStandardHelpOptions = true, version = "specd 0.1.0",
        description = "Speculative-decoding inference server whose draft model learns from live traffic.",
        subcommands = {ServeCommand.class, TrainCommand.class, PretrainCommandLine.class, BenchCommand.class,
                LoadTestCommand.class, ExportCommand.class})
public final class SpecdCommand implements Runnable {

    public static void main(String[] args) {
        // No model hub is reachable: DJL must use the libtorch on the class path or PYTORCH_LIBRARY_PATH.
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.exit(commandLine().execute(args));
    }

    /** The whole command line; enum options (such as serve's --drafter) are written in lower case. */
    static CommandLine commandLine() {
        return new CommandLine(new SpecdCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
