package dev.specd.trainer.pretrain;

/**
 * GPT-2's byte-to-unicode table: every byte gets a printable, non-whitespace character, so that a
 * byte-level token is a plain string in {@code vocab} and {@code merges} of a Hugging Face
 * {@code tokenizer.json} (where a space inside a merge would be ambiguous). Printable Latin-1 bytes
 * map to themselves; the rest map, in byte order, to U+0100 onwards. The {@code ByteLevel}
 * pre-tokenizer and decoder of Hugging Face tokenizers use the same table.
 */
final class ByteLevelAlphabet {

    private static final char[] BYTE_TO_CHAR = new char[256];

    static {
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + shifted++);
        }
    }

    private ByteLevelAlphabet() {}

    static String encode(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }
}
