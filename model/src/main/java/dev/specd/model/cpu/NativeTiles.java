package dev.specd.model.cpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Bf16Kernels}' and {@link F32Kernels}' products compiled from C
 * ({@code model/src/main/c/bf16_tiles.c}, {@code f32_tiles.c}) and called through the
 * foreign-function API, bit for bit the same sums; and attention's softmax ({@code softmax.c}),
 * which has its own exp and so is not bit for bit the Java one. The Vector API has no prefetch
 * instruction: the Java kernels load ahead instead, and those loads hold the reorder buffer until
 * their cache line arrives, so at five inputs a product from L3 waits on memory between bursts of
 * arithmetic. The C loop prefetches and keeps the two apart (gate_up's shape, five inputs from L3,
 * both cores: 37.6–38.8 µs in Java, 29.2–30.8 µs in C, against 27.4–27.6 µs for one input).
 *
 * <p>Products of {@link #AMX_MIN_INPUTS} inputs or more (prefill, large batches) run on AMX's tile
 * unit where the CPU has AMX-BF16 and Linux grants it ({@code amx_tiles.c}): float32 precision, but
 * not the AVX-512 kernel's order of additions, so not bit for bit its sums.
 *
 * <p>The library is built with the model module when a C compiler is present, shipped in the jar,
 * and loaded only on x86-64 Linux when the JVM's widest float vector has 16 lanes (the layout the C
 * file assumes). Anywhere else, or with {@code -Dspecd.nativeTiles=false}, the Java kernels serve;
 * {@code -Dspecd.amx=false} keeps the library and turns AMX off alone.
 * The call is a critical downcall: the heap arrays are passed in place, with no copy, and the
 * garbage collector waits while a call lasts: microseconds in decode, a few milliseconds for the
 * products of a long prompt.
 */
final class NativeTiles {

    /** The system property that turns the native kernels off: {@code -Dspecd.nativeTiles=false}. */
    static final String ENABLED_PROPERTY = "specd.nativeTiles";
    /** The system property that turns AMX off alone: {@code -Dspecd.amx=false}. */
    static final String AMX_PROPERTY = "specd.amx";
    /**
     * From this many inputs on, bfloat16 products run on AMX where it serves. Below, the AVX-512
     * kernel is as fast or faster (one core, a 1024 × 384 matrix in L2: 3.4 against 4.0 ns per 64
     * weights at five inputs, 3.8 against 3.8 at six, 6.0 against 4.2 at eight, 11.3 against 5.8 at
     * sixteen), and decode and verification, which read weights from L3, keep the AVX-512 kernel.
     */
    static final int AMX_MIN_INPUTS = 8;
    static final String LIBRARY = "libspecd_tiles.so";
    private static final String RESOURCE = "/native/linux-x86_64/" + LIBRARY;
    private static final Logger log = LoggerFactory.getLogger(NativeTiles.class);
    /** void specd_bf16_product(w, columns, rows, fromTile, toTile, x, n, y, accumulate). */
    private static final FunctionDescriptor BF16_PRODUCT = FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    /** int specd_amx_bf16_product(w, columns, rows, fromTile, toTile, x, n, y, accumulate): 0, or -1 out of memory. */
    private static final FunctionDescriptor AMX_PRODUCT = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    /** void specd_f32_product(w, at, tileStep, step, columns, tiles, lastRows, x, xAt, xStride, n, y, yAt, yStride). */
    private static final FunctionDescriptor F32_PRODUCT = FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    /** void specd_softmax_block(s, at, stride, count, groupSize, firstLength, span). */
    private static final FunctionDescriptor SOFTMAX_BLOCK = FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    /**
     * The library's entry points, amx null where AMX does not serve. A record, not an array: C2
     * trusts a record's fields as constants, so it inlines the calls and removes the heap segments
     * that wrap their arrays.
     */
    private record Products(MethodHandle bf16, MethodHandle f32, MethodHandle amx, MethodHandle softmax) {}

    /** Null when the library is not loaded. */
    private static final Products PRODUCTS = load();

    private NativeTiles() {}

    /** Whether the native kernels serve the tile products (bfloat16 and float32) in this process. */
    static boolean available() {
        return PRODUCTS != null;
    }

    /** Whether bfloat16 products of {@link #AMX_MIN_INPUTS} inputs or more run on AMX in this process. */
    static boolean amx() {
        return PRODUCTS != null && PRODUCTS.amx() != null;
    }

    /**
     * Whether a bfloat16 product of {@code n} inputs runs on AMX, whose every call first splits all
     * n inputs into bfloat16 parts: a caller that cut one product into calls of a tile each would
     * split them again for each tile.
     */
    static boolean onAmx(int n) {
        return n >= AMX_MIN_INPUTS && amx();
    }

    /**
     * y[i][r] += W[r] · x[i] when {@code accumulate}, else y[i][r] = W[r] · x[i], for inputs [0, n)
     * and the rows of whole tiles [fromTile, toTile): on AMX from {@link #AMX_MIN_INPUTS} inputs where
     * it serves, else as {@link Bf16Kernels#tile} over each of those tiles. Only when
     * {@link #available()}.
     */
    static void multiply(int[] w, int columns, int rows, int fromTile, int toTile, float[] x, int n, float[] y,
            boolean accumulate) {
        if (!onAmx(n) || !multiplyAmx(w, columns, rows, fromTile, toTile, x, n, y, accumulate)) {
            multiplyAvx512(w, columns, rows, fromTile, toTile, x, n, y, accumulate);
        }
    }

    /** {@link #multiply} on the AVX-512 kernel, bit for bit {@link Bf16Kernels#tile}. */
    static void multiplyAvx512(int[] w, int columns, int rows, int fromTile, int toTile, float[] x, int n, float[] y,
            boolean accumulate) {
        try {
            PRODUCTS.bf16().invokeExact(MemorySegment.ofArray(w), columns, rows, fromTile, toTile, MemorySegment.ofArray(x),
                    n, MemorySegment.ofArray(y), accumulate ? 1 : 0);
        } catch (Throwable e) {
            throw new IllegalStateException("native tile product failed", e);
        }
    }

    /**
     * {@link #multiply} on AMX (float32 precision, another order of additions than the AVX-512
     * kernel's); false, y untouched, when the native side could not allocate its buffer. Only when
     * {@link #amx()}.
     */
    static boolean multiplyAmx(int[] w, int columns, int rows, int fromTile, int toTile, float[] x, int n, float[] y,
            boolean accumulate) {
        try {
            return (int) PRODUCTS.amx().invokeExact(MemorySegment.ofArray(w), columns, rows, fromTile, toTile,
                    MemorySegment.ofArray(x), n, MemorySegment.ofArray(y), accumulate ? 1 : 0) == 0;
        } catch (Throwable e) {
            throw new IllegalStateException("native AMX tile product failed", e);
        }
    }

    /**
     * {@link F32Kernels#tiles}: {@link F32Kernels#tile} over {@code tiles} tiles, tileStep floats
     * apart in w and T apart in y, the last one only as far as the vector of rows that holds row
     * {@code lastRows} − 1. Only when {@link #available()}.
     */
    static void multiply(float[] w, int at, int tileStep, int step, int columns, int tiles, int lastRows, float[] x,
            int xAt, int xStride, int n, float[] y, int yAt, int yStride) {
        try {
            PRODUCTS.f32().invokeExact(MemorySegment.ofArray(w), at, tileStep, step, columns, tiles, lastRows,
                    MemorySegment.ofArray(x), xAt, xStride, n, MemorySegment.ofArray(y), yAt, yStride);
        } catch (Throwable e) {
            throw new IllegalStateException("native tile product failed", e);
        }
    }

    /**
     * Attention's softmax over one block's scores ({@code softmax.c}), in place: row i of
     * {@code count}, at {@code at + i·stride}, over its first firstLength + i / groupSize scores
     * (a block's rows are consecutive positions of one request, groupSize query heads each), zero
     * from there to {@code span}. Only when {@link #available()}.
     */
    static void softmax(float[] s, int at, int stride, int count, int groupSize, int firstLength, int span) {
        try {
            PRODUCTS.softmax().invokeExact(MemorySegment.ofArray(s), at, stride, count, groupSize, firstLength, span);
        } catch (Throwable e) {
            throw new IllegalStateException("native softmax failed", e);
        }
    }

    private static Products load() {
        if (!Boolean.parseBoolean(System.getProperty(ENABLED_PROPERTY, "true"))) {
            log.info("native tile kernels off (-D{}=false): the Java kernels serve", ENABLED_PROPERTY);
            return null;
        }
        if (Matrix.F.length() != 16 || !System.getProperty("os.name").equals("Linux")
                || !System.getProperty("os.arch").equals("amd64")) {
            return null;
        }
        try (InputStream library = NativeTiles.class.getResourceAsStream(RESOURCE)) {
            if (library == null) {
                log.info("no native tile kernels in this build (no C compiler when it was built): the Java kernels serve");
                return null;
            }
            Path file = Files.createTempFile("specd-tiles-", ".so");
            file.toFile().deleteOnExit();
            Files.copy(library, file, StandardCopyOption.REPLACE_EXISTING);
            Linker linker = Linker.nativeLinker();
            SymbolLookup symbols = SymbolLookup.libraryLookup(file, Arena.global());
            return new Products(
                    linker.downcallHandle(symbols.findOrThrow("specd_bf16_product"), BF16_PRODUCT,
                            Linker.Option.critical(true)),
                    linker.downcallHandle(symbols.findOrThrow("specd_f32_product"), F32_PRODUCT,
                            Linker.Option.critical(true)),
                    amxProduct(linker, symbols),
                    linker.downcallHandle(symbols.findOrThrow("specd_softmax_block"), SOFTMAX_BLOCK,
                            Linker.Option.critical(true)));
        } catch (IOException | RuntimeException e) {
            log.warn("could not load the native tile kernels, the Java kernels serve: {}", e.toString());
            return null;
        }
    }

    /** The AMX product, or null where it does not serve (and why, in the log). */
    private static MethodHandle amxProduct(Linker linker, SymbolLookup symbols) {
        if (!Boolean.parseBoolean(System.getProperty(AMX_PROPERTY, "true"))) {
            log.info("AMX off (-D{}=false): bfloat16 products run on the AVX-512 kernel", AMX_PROPERTY);
            return null;
        }
        int granted;
        try {
            granted = (int) linker.downcallHandle(symbols.findOrThrow("specd_amx_init"), FunctionDescriptor.of(JAVA_INT))
                    .invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("specd_amx_init failed", e);
        }
        if (granted != 1) {
            log.info("no AMX-BF16 here (CPU, Linux or the library's compiler): bfloat16 products run on AVX-512");
            return null;
        }
        return linker.downcallHandle(symbols.findOrThrow("specd_amx_bf16_product"), AMX_PRODUCT,
                Linker.Option.critical(true));
    }
}
