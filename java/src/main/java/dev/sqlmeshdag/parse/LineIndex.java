package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.core.Location;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Turns character offsets into the 1-based line and column users see in their editor. */
final class LineIndex {

    private final String file;
    private final int[] lineStarts;

    LineIndex(String file, String text) {
        this.file = file;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    int line(int offset) {
        int idx = Arrays.binarySearch(lineStarts, offset);
        return (idx >= 0 ? idx : -idx - 2) + 1;
    }

    int col(int offset) {
        return offset - lineStarts[line(offset) - 1] + 1;
    }

    Location at(int offset) {
        return new Location(file, line(offset), col(offset));
    }

    String file() {
        return file;
    }
}
