package dev.pgbox.schema;

import java.nio.charset.StandardCharsets;

/** Turns libpg_query's byte offsets (UTF-8) into character indexes, lines and columns (both 1-based). */
final class TextPositions {
    private final String text;
    private final int[] charOfByte;

    TextPositions(String text) {
        this.text = text;
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        charOfByte = new int[bytes.length + 1];
        int b = 0;
        for (int i = 0; i < text.length(); i++) {
            int cp = text.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            for (int k = 0; k < n; k++) {
                charOfByte[b + k] = i;
            }
            b += n;
            if (Character.isSupplementaryCodePoint(cp)) {
                i++;
            }
        }
        charOfByte[bytes.length] = text.length();
    }

    int charIndex(int byteOffset) {
        return charOfByte[Math.max(0, Math.min(byteOffset, charOfByte.length - 1))];
    }

    /** Line (1-based) of a character index. */
    int line(int charIndex) {
        int line = 1;
        for (int i = 0; i < Math.min(charIndex, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** Column (1-based, in characters) of a character index. */
    int column(int charIndex) {
        int c = Math.min(charIndex, text.length());
        int lineStart = text.lastIndexOf('\n', c - 1) + 1;
        return c - lineStart + 1;
    }
}
