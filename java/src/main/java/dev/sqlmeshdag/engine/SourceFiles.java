package dev.sqlmeshdag.engine;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads project files as strict UTF-8, so a stray binary or Latin-1 file is an error instead of garbage. */
final class SourceFiles {

    private SourceFiles() {
    }

    /** The file's bytes and text; empty (with the problem recorded at {@code file:1:1}) when unreadable. */
    record Read(byte[] bytes, String text) {
    }

    static Optional<Read> read(Path path, String relative, Problems problems) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            problems.error(new Location(relative, 1, 1), "cannot read this file (" + e.getMessage()
                    + "); check that it exists and is readable");
            return Optional.empty();
        }
        return decode(bytes, relative, problems).map(text -> new Read(bytes, text));
    }

    static Optional<String> decode(byte[] bytes, String relative, Problems problems) {
        for (byte b : bytes) {
            if (b == 0) {
                problems.error(new Location(relative, 1, 1), "this is a binary file, not a model; move it out of "
                        + "models/ or add it to ignore_patterns");
                return Optional.empty();
            }
        }
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes), out, true);
        if (result.isError()) {
            problems.error(badByteLocation(relative, out.flip()), "this file is not valid UTF-8 text (the byte here "
                    + "cannot be decoded); save the file as UTF-8");
            return Optional.empty();
        }
        String text = out.flip().toString();
        return Optional.of(text.startsWith("\uFEFF") ? text.substring(1) : text);
    }

    /** Where the first undecodable byte sits: the line and the column (in characters) after the text before it. */
    static Location badByteLocation(String relative, CharSequence decodedBefore) {
        String before = decodedBefore.toString();
        int lineStart = before.lastIndexOf('\n') + 1;
        int line = (int) before.chars().filter(c -> c == '\n').count() + 1;
        int column = before.codePointCount(lineStart, before.length()) + 1;
        return new Location(relative, line, column);
    }

    static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }
}
