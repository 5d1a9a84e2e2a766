package dev.sqlmeshdag.parse;

/** Spots files that are not text, so users get one clear message instead of a cascade of syntax errors. */
final class TextCheck {

    private TextCheck() {
    }

    /** The offset of the first NUL or undecodable character, or -1 when the text looks like UTF-8 text. */
    static int firstBinaryChar(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0' || c == '\uFFFD') {
                return i;
            }
        }
        return -1;
    }

    static String binaryMessage(String text, int offset) {
        return text.charAt(offset) == '\0'
                ? "the file contains a NUL byte, so it is binary, not a model; remove it from the models folder"
                : "the file is not valid UTF-8 text; save it with UTF-8 encoding";
    }
}
