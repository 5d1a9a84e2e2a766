package dev.sqlmeshdag.parse;

import java.util.List;
import java.util.Map;

/** A Python literal as read from source text; anything that would need running code stays {@link Unknown}. */
sealed interface PyValue {

    /** What Python's {@code str()} gives, or null when that cannot be known statically. */
    default String str() {
        return null;
    }

    record Str(String value) implements PyValue {
        @Override
        public String str() {
            return value;
        }
    }

    record Num(String text) implements PyValue {
        @Override
        public String str() {
            return text;
        }
    }

    record Bool(boolean value) implements PyValue {
        @Override
        public String str() {
            return value ? "True" : "False";
        }
    }

    record None() implements PyValue {
        @Override
        public String str() {
            return "None";
        }
    }

    record Seq(List<PyValue> items, boolean tuple) implements PyValue {
    }

    /** A dict literal or {@code dict(...)} call; keys are the string keys as written. */
    record Dict(Map<String, PyValue> entries) implements PyValue {
    }

    record CallV(String callee, List<PyValue> args, Map<String, PyValue> kwargs) implements PyValue {
    }

    /** A name or attribute chain that is not a known constant ({@code ModelKindName.FULL}). */
    record Ref(String dotted) implements PyValue {
    }

    /** An expression that cannot be evaluated without running Python, as written. */
    record Unknown(String text) implements PyValue {
    }
}
