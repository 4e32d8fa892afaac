package dev.specd.model.gguf;

import java.util.List;

/**
 * One metadata value, typed as llama.cpp reads it: it fetches each key with a fixed C type and
 * rejects a file whose value has another (a context length stored as UINT64 fails to load), so the
 * type is part of the value.
 */
public sealed interface GgufValue {

    GgufValueType type();

    /** An unsigned 32-bit integer: counts, lengths, token ids. */
    record UInt32(long value) implements GgufValue {
        public UInt32 {
            if (value < 0 || value > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("not an unsigned 32-bit value: " + value);
            }
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.UINT32;
        }
    }

    record Float32(float value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.FLOAT32;
        }
    }

    record Bool(boolean value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.BOOL;
        }
    }

    /** UTF-8 text. */
    record Text(String value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.STRING;
        }
    }

    /** An array of strings (token texts, merges). */
    record TextArray(List<String> values) implements GgufValue {
        public TextArray {
            values = List.copyOf(values);
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }
    }

    /** An array of signed 32-bit integers (token types). */
    record Int32Array(List<Integer> values) implements GgufValue {
        public Int32Array {
            values = List.copyOf(values);
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }
    }
}
