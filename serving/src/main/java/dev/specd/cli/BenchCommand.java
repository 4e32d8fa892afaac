package dev.specd.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.specd.model.Backend;
import dev.specd.model.CausalLM;
import dev.specd.model.SamplingParams;
import dev.specd.model.Tokenizer;
import dev.specd.model.bench.ModelBenchmark;
import dev.specd.model.cpu.ProjectionBenchmark;
import dev.specd.model.llama.Transformer;
import dev.specd.verifier.bench.SpecBenchmark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Benchmarks that print JSON, recorded in docs/benchmarks.md. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark and print JSON.",
        subcommands = {BenchCommand.Model.class, BenchCommand.Projection.class, BenchCommand.Spec.class})
final class BenchCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** A report's header: which benchmark, on how many cores, on which Java. */
    private static ObjectNode report(String benchmark) {
        ObjectNode report = JSON.createObjectNode();
        report.put("benchmark", benchmark);
        report.put("cpus", Runtime.getRuntime().availableProcessors());
        report.put("java", System.getProperty("java.version"));
        return report;
    }

    /** Adds the results to the report, prints it on the command's output, and returns the exit status. */
    private static int print(CommandSpec spec, ObjectNode report, Object results)
            throws IOException {
        report.set("results", JSON.valueToTree(results));
        spec.commandLine().getOut().println(JSON.writeValueAsString(report));
        return 0;
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "Forward-pass speed: prefill, decode at batch 1 and 4, verification of 5 positions, "
                    + "and decode against the memory-bandwidth bound, on each backend.")
    static final class Model implements Callable<Integer> {

        @CommandLine.Spec
        CommandSpec spec;

        @Option(names = "--model", paramLabel = "DIR",
                description = "Checkpoint directory to benchmark (repeatable). Default: a target-sized and a "
                        + "draft-sized model with random weights.")
        List<Path> models = new ArrayList<>();

        @Option(names = "--backend", split = ",", defaultValue = "java,djl", paramLabel = "NAME",
                description = "Backends to benchmark, each model on each: java, djl (default ${DEFAULT-VALUE}).")
        List<Backend> backends;

        @Option(names = "--dtype", defaultValue = "float32", description = "Compute dtype: float32 or float16 (default ${DEFAULT-VALUE}).")
        String dtype;

        @Option(names = "--device", defaultValue = "cpu", description = "cpu, or gpu on a host with a CUDA libtorch (default ${DEFAULT-VALUE}).")
        String device;

        @Option(names = "--iterations", defaultValue = "200", description = "Timed iterations per measurement (default ${DEFAULT-VALUE}).")
        int iterations;

        @Override
        public Integer call() throws Exception {
            DataType computeType = Transformer.parseComputeType(dtype);
            ModelBenchmark benchmark;
            try {
                benchmark = new ModelBenchmark(iterations, Device.fromName(device));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            double bandwidth = benchmark.memoryBandwidthGBps();
            List<ModelBenchmark.Result> results = new ArrayList<>();
            for (Backend backend : backends) {
                if (models.isEmpty()) {
                    results.add(benchmark.runRandom("target-sized", ModelBenchmark.TARGET_SIZED, backend, computeType,
                            bandwidth));
                    results.add(benchmark.runRandom("draft-sized", ModelBenchmark.DRAFT_SIZED, backend, computeType,
                            bandwidth));
                } else {
                    for (Path model : models) {
                        results.add(benchmark.run(model.toString(), model, backend, computeType, bandwidth));
                    }
                }
            }
            ObjectNode report = report("model");
            report.put("memoryBandwidthGBps", bandwidth);
            return print(spec, report, results);
        }
    }

    @Command(name = "projection", mixinStandardHelpOptions = true,
            description = "One bfloat16 projection of the java backend applied to 1 to 6 inputs (what verifying "
                    + "several positions costs in its matrix products), with its weights in cache and streamed.")
    static final class Projection implements Callable<Integer> {

        @CommandLine.Spec
        CommandSpec spec;

        @Option(names = "--rows", defaultValue = "" + ProjectionBenchmark.DEFAULT_ROWS,
                description = "Output rows (default ${DEFAULT-VALUE}: the default target's gate and up together).")
        int rows;

        @Option(names = "--columns", defaultValue = "" + ProjectionBenchmark.DEFAULT_COLUMNS,
                description = "Input columns (default ${DEFAULT-VALUE}).")
        int columns;

        @Option(names = "--footprint-mb", split = ",", defaultValue = "0,64,1024", paramLabel = "MB",
                description = "Weight footprints to cycle through, each as copies of the matrix; 0 is one copy, "
                        + "which stays in cache (default ${DEFAULT-VALUE}).")
        List<Long> footprintsMb;

        @Option(names = "--iterations", defaultValue = "1000",
                description = "Timed applications per input count (default ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--warmup-ms", defaultValue = "1000",
                description = "Untimed applications first, per input count, so that the kernels are compiled "
                        + "(default ${DEFAULT-VALUE} ms).")
        long warmupMillis;

        @Override
        public Integer call() throws Exception {
            ObjectNode report = report("projection");
            report.put("rows", rows);
            report.put("columns", columns);
            List<ProjectionBenchmark> benchmarks = new ArrayList<>();
            try {
                for (long footprintMb : footprintsMb) {
                    benchmarks.add(new ProjectionBenchmark(rows, columns, footprintMb << 20, iterations,
                            Duration.ofMillis(warmupMillis)));
                }
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            List<ProjectionBenchmark.Result> results = new ArrayList<>();
            for (ProjectionBenchmark benchmark : benchmarks) {
                results.addAll(benchmark.run());
            }
            return print(spec, report, results);
        }
    }

    @Command(name = "spec", mixinStandardHelpOptions = true,
            description = "Speculative decoding per domain of held-out prompts: tokens/s, acceptance rate and mean "
                    + "accepted length for each drafter (none, model, ngram, hybrid) at each batch size.")
    static final class Spec implements Callable<Integer> {

        @CommandLine.Spec
        CommandSpec spec;

        @Option(names = "--models", defaultValue = "models/default",
                description = "Directory with target/ and draft/ checkpoints (default ${DEFAULT-VALUE}).")
        Path models;

        @Option(names = "--prompts", defaultValue = "models/heldout.jsonl",
                description = "JSONL of {\"domain\": ..., \"prompt\": ...} (default ${DEFAULT-VALUE}).")
        Path prompts;

        @Option(names = "--prompts-per-domain", defaultValue = "8", description = "Prompts taken per domain (default ${DEFAULT-VALUE}).")
        int promptsPerDomain;

        @Option(names = "--max-tokens", defaultValue = "64", description = "Tokens generated per prompt (default ${DEFAULT-VALUE}).")
        int maxTokens;

        @Option(names = "--batch", split = ",", defaultValue = "1,4", description = "Batch sizes (default ${DEFAULT-VALUE}).")
        List<Integer> batchSizes;

        @Option(names = "--temperature", defaultValue = "0", description = "Sampling temperature; 0 is greedy (default ${DEFAULT-VALUE}).")
        double temperature;

        @Option(names = "--rounds", defaultValue = "3",
                description = "Interleaved rounds of every arm; each reports its median (default ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--backend", defaultValue = "java", paramLabel = "NAME",
                description = "What runs the models: java or djl (default ${DEFAULT-VALUE}).")
        Backend backend;

        @Override
        public Integer call() throws Exception {
            List<SpecBenchmark.Prompt> selected = new ArrayList<>();
            Map<String, Integer> perDomain = new HashMap<>();
            for (String line : Files.readAllLines(prompts)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode entry = JSON.readTree(line);
                String domain = entry.path("domain").asText("default");
                if (perDomain.merge(domain, 1, Integer::sum) <= promptsPerDomain) {
                    selected.add(new SpecBenchmark.Prompt(domain, entry.path("prompt").asText()));
                }
            }
            try (CausalLM target = backend.load(models.resolve("target"), Device.cpu(), DataType.FLOAT32);
                    CausalLM draft = backend.load(models.resolve("draft"), Device.cpu(), DataType.FLOAT32);
                    Tokenizer tokenizer = Tokenizer.load(models.resolve("target"))) {
                SpecBenchmark benchmark = new SpecBenchmark(target, draft, tokenizer,
                        SamplingParams.ofTemperature(temperature), maxTokens);
                ObjectNode report = report("spec");
                report.put("models", models.toString());
                report.put("backend", backend.option());
                report.put("maxTokens", maxTokens);
                report.put("temperature", temperature);
                report.put("rounds", rounds);
                return print(spec, report, benchmark.run(selected, batchSizes, rounds));
            }
        }
    }
}
