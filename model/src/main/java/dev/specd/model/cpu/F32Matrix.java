package dev.specd.model.cpu;

import jdk.incubator.vector.FloatVector;

/** A float32 weight matrix in {@link Matrix}'s tiles: W[r][k] at (r / T)·T·columns + k·T + r % T. */
record F32Matrix(int rows, int columns, float[] values) implements Matrix {

    private static final int L = F.length();

    F32Matrix {
        if ((long) Math.ceilDiv(rows, TILE_ROWS) * TILE_ROWS * columns != values.length) {
            throw new IllegalArgumentException(rows + " x " + columns + " tiled matrix over " + values.length + " values");
        }
    }

    /** Tiles a row-major [rows, columns] matrix. */
    static F32Matrix tiled(int rows, int columns, float[] rowMajor) {
        float[] tiled = new float[Math.ceilDiv(rows, TILE_ROWS) * TILE_ROWS * columns];
        for (int row = 0; row < rows; row++) {
            for (int k = 0; k < columns; k++) {
                tiled[index(row, k, columns)] = rowMajor[row * columns + k];
            }
        }
        return new F32Matrix(rows, columns, tiled);
    }

    private static int index(int row, int k, int columns) {
        return row / TILE_ROWS * TILE_ROWS * columns + k * TILE_ROWS + row % TILE_ROWS;
    }

    @Override
    public long bytes() {
        return (long) rows * columns * Float.BYTES;
    }

    @Override
    public void copyRow(int row, float[] destination, int offset) {
        for (int k = 0; k < columns; k++) {
            destination[offset + k] = values[index(row, k, columns)];
        }
    }

    @Override
    public void multiplyAdd(float[] x, int n, float[] y, int fromTile, int toTile) {
        int fullTiles = rows / TILE_ROWS;
        int wholeEnd = Math.min(toTile, fullTiles);
        if (fromTile < wholeEnd) {
            F32Kernels.tiles(values, fromTile * TILE_ROWS * columns, TILE_ROWS * columns, TILE_ROWS, columns,
                    wholeEnd - fromTile, TILE_ROWS, x, 0, columns, n, y, fromTile * TILE_ROWS, rows);
        }
        if (toTile > fullTiles) {
            partialTile(fullTiles, x, n, y);
        }
    }

    /** The last tile when rows are no multiple of a tile: its whole vectors of rows, then single rows. */
    private void partialTile(int tile, float[] x, int n, float[] y) {
        int first = tile * TILE_ROWS;
        int valid = rows - first;
        int base = first * columns;
        for (int i = 0; i < n; i++) {
            int x0 = i * columns;
            int y0 = i * rows + first;
            int r = 0;
            for (; r + L <= valid; r += L) {
                FloatVector sum = FloatVector.zero(F);
                for (int k = 0; k < columns; k++) {
                    sum = FloatVector.fromArray(F, values, base + k * TILE_ROWS + r)
                            .fma(FloatVector.broadcast(F, x[x0 + k]), sum);
                }
                FloatVector.fromArray(F, y, y0 + r).add(sum).intoArray(y, y0 + r);
            }
            for (; r < valid; r++) {
                float sum = 0;
                for (int k = 0; k < columns; k++) {
                    sum += values[base + k * TILE_ROWS + r] * x[x0 + k];
                }
                y[y0 + r] += sum;
            }
        }
    }
}
