package dev.specd.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class DTypeTest {

    @Test
    void mapsToDjlAndBack() {
        for (DType type : DType.values()) {
            assertEquals(type, DType.of(type.djl()));
            assertEquals(type, DType.parse(type.name()));
            assertEquals(type.djl().getNumOfBytes(), type.bytes());
        }
        assertEquals(DataType.FLOAT32, DType.BF16.loadedAs());
        assertEquals(DataType.FLOAT16, DType.F16.loadedAs());
    }

    @Test
    void unsupportedTypesAreNamed() {
        IllegalArgumentException parse = assertThrows(IllegalArgumentException.class, () -> DType.parse("I64"));
        assertTrue(parse.getMessage().contains("'I64'"), parse.getMessage());
        IllegalArgumentException of = assertThrows(IllegalArgumentException.class, () -> DType.of(DataType.INT64));
        assertTrue(of.getMessage().contains("int64"), of.getMessage());
    }
}
