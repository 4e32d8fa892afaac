package dev.specd.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.cpu.CpuTransformer;
import dev.specd.model.llama.Transformer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** The engines that run a checkpoint for inference: both implement {@link CausalLM} on the same checkpoints. */
public enum Backend {

    /**
     * Pure Java with the Vector API ({@link CpuTransformer}): CPU only, float32 compute over weights
     * in the checkpoint's precision. Needs the JVM option {@code --add-modules jdk.incubator.vector}.
     */
    JAVA,
    /** Deep Java Library's PyTorch engine ({@link Transformer}): GPUs, float16; training always uses it. */
    DJL;

    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    /** The backend a device serves with unless told otherwise: java on cpu, djl elsewhere. */
    public static Backend defaultFor(String deviceName) {
        return deviceName.equalsIgnoreCase("cpu") ? JAVA : DJL;
    }

    /** As named on a command line: {@code java} or {@code djl}. */
    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Loads a Hugging Face checkpoint directory for inference.
     *
     * @throws IllegalArgumentException if this backend cannot run on {@code device} in {@code computeType}
     */
    public CausalLM load(Path modelDir, Device device, DataType computeType) throws IOException {
        return switch (this) {
            case DJL -> Transformer.load(modelDir, device, computeType);
            case JAVA -> {
                if (!device.getDeviceType().equals(Device.Type.CPU)) {
                    throw new IllegalArgumentException("the java backend runs on cpu only, not " + device
                            + ": use the djl backend there");
                }
                if (computeType != DataType.FLOAT32) {
                    throw new IllegalArgumentException("the java backend computes in float32 (weights stay in the "
                            + "checkpoint's precision), not " + computeType + ": use the djl backend for that");
                }
                if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
                    throw new IllegalStateException("the java backend needs the JVM option --add-modules "
                            + VECTOR_MODULE + " (./specd and the Docker image pass it), or use the djl backend");
                }
                yield CpuTransformer.load(modelDir);
            }
        };
    }
}
