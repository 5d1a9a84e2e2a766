package dev.sqlmeshdag.spec;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * JSON text exactly as Python's {@code json.dumps(obj, indent=2, sort_keys=True)} writes it, so a user can
 * {@code diff} the engine's graph against one printed by a SQLMesh script.
 */
public final class PythonJson {

    private static final ObjectWriter WRITER = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .writer(prettyPrinter())
            .with(new AsciiEscapes());

    private PythonJson() {
    }

    /** Maps, lists, strings, numbers, booleans and nulls; map keys are sorted. No trailing newline. */
    public static String write(Object value) {
        try {
            return WRITER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("could not write JSON", e);
        }
    }

    /** {@code "key": value}, {@code ,} at line ends, two-space indent for objects and arrays, {@code []}/{@code {}}. */
    private static DefaultPrettyPrinter prettyPrinter() {
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEntrySpacing(Separators.Spacing.NONE)
                .withArrayValueSpacing(Separators.Spacing.NONE)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(separators);
        printer.indentObjectsWith(indenter);
        printer.indentArraysWith(indenter);
        return printer;
    }

    /**
     * Python's {@code ensure_ascii}: everything outside printable ASCII as {@code \\uXXXX} with lower-case hex (DEL
     * included), the short escapes for quote, backslash and the five named control characters. Jackson's own
     * {@code ESCAPE_NON_ASCII} writes upper-case hex, which would break a byte-for-byte comparison.
     */
    static final class AsciiEscapes extends CharacterEscapes {
        private static final int[] CODES = codes();

        private static int[] codes() {
            int[] codes = CharacterEscapes.standardAsciiEscapesForJSON();
            for (int c = 0; c < 0x20; c++) {
                if ("\b\f\n\r\t".indexOf(c) < 0) {
                    codes[c] = ESCAPE_CUSTOM;
                }
            }
            codes[0x7f] = ESCAPE_CUSTOM;
            return codes;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return CODES.clone();
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch < 0x20 || ch >= 0x7f ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }
}
