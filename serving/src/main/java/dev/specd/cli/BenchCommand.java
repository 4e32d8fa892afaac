package dev.specd.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.specd.model.bench.ModelBenchmark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Benchmarks that print JSON, recorded in docs/benchmarks.md. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark and print JSON.",
        subcommands = {BenchCommand.Model.class})
final class BenchCommand implements Runnable {

    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "Forward-pass speed: prefill, decode at batch 1 and 4, verification of 5 positions, "
                    + "and decode against the memory-bandwidth bound.")
    static final class Model implements Callable<Integer> {

        @Option(names = "--model", paramLabel = "DIR",
                description = "Checkpoint directory to benchmark (repeatable). Default: a target-sized and a "
                        + "draft-sized model with random weights.")
        List<Path> models = new ArrayList<>();

        @Option(names = "--dtype", defaultValue = "float32", description = "Compute dtype: float32 or bfloat16 (default ${DEFAULT-VALUE}).")
        String dtype;

        @Option(names = "--device", defaultValue = "cpu", description = "cpu, or gpu on a host with a CUDA libtorch (default ${DEFAULT-VALUE}).")
        String device;

        @Option(names = "--iterations", defaultValue = "200", description = "Timed iterations per measurement (default ${DEFAULT-VALUE}).")
        int iterations;

        @Override
        public Integer call() throws Exception {
            DataType computeType = DataType.valueOf(dtype.toUpperCase());
            ModelBenchmark benchmark = new ModelBenchmark(iterations, Device.fromName(device));
            double bandwidth = benchmark.copyBandwidthGBps();
            List<ModelBenchmark.Result> results = new ArrayList<>();
            if (models.isEmpty()) {
                results.add(benchmark.runRandom("target-sized", ModelBenchmark.TARGET_SIZED, computeType, bandwidth));
                results.add(benchmark.runRandom("draft-sized", ModelBenchmark.DRAFT_SIZED, computeType, bandwidth));
            } else {
                for (Path model : models) {
                    results.add(benchmark.run(model.toString(), model, computeType, bandwidth));
                }
            }
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode report = json.createObjectNode();
            report.put("benchmark", "model");
            report.put("cpus", Runtime.getRuntime().availableProcessors());
            report.put("java", System.getProperty("java.version"));
            report.put("copyBandwidthGBps", bandwidth);
            report.set("results", json.valueToTree(results));
            System.out.println(json.writeValueAsString(report));
            return 0;
        }
    }
}
