package dev.sqlmeshdag.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Problems;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SourceFilesTest {

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void undecodableByteIsReportedWhereItIs() {
        Problems problems = new Problems();
        Optional<String> text = SourceFiles.decode(latin1("MODEL (name s.a);\n\n-- café\nSELECT 1"),
                "models/a.sql", problems);
        assertTrue(text.isEmpty());
        assertEquals("models/a.sql:3:7: this file is not valid UTF-8 text (the byte here cannot be decoded); save "
                + "the file as UTF-8", problems.errors().get(0).toString());
    }

    @Test
    void columnCountsCharactersNotBytesBeforeTheBadByte() {
        Problems problems = new Problems();
        byte[] good = "-- naïve ".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[good.length + 1];
        System.arraycopy(good, 0, bytes, 0, good.length);
        bytes[good.length] = (byte) 0xff;
        SourceFiles.decode(bytes, "models/b.sql", problems);
        assertEquals(1, problems.errors().get(0).location().line());
        assertEquals(10, problems.errors().get(0).location().col());
    }

    @Test
    void validUtf8WithByteOrderMarkDecodesWithoutTheMark() {
        Problems problems = new Problems();
        byte[] body = "SELECT 'é'".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[body.length + 3];
        bytes[0] = (byte) 0xef;
        bytes[1] = (byte) 0xbb;
        bytes[2] = (byte) 0xbf;
        System.arraycopy(body, 0, bytes, 3, body.length);
        assertEquals(Optional.of("SELECT 'é'"), SourceFiles.decode(bytes, "models/c.sql", problems));
        assertTrue(problems.all().isEmpty());
    }
}
