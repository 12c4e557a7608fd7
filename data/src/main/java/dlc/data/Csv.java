package dlc.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads a numeric CSV table into a {@link Dataset}: every column but the label column becomes one
 * feature of {@code x [N, F]} (f32), and the label column becomes {@code y}. Fields may be
 * double-quoted ({@code ""} inside quotes is a quote); surrounding spaces are ignored; blank lines
 * are skipped. Errors name {@code file:line:column} (1-based, the column is the character where the
 * field starts) and the field.
 */
public final class Csv {
    private Csv() {}

    /** Whether the first row is a header; AUTO: it is when none of its fields is a number. */
    public enum Header { AUTO, PRESENT, ABSENT }

    /**
     * How to read the label column. AUTO: non-negative integers are class indices (classes = max + 1),
     * any non-numeric value makes the labels class names (sorted, then numbered), anything else is a
     * float regression target. CLASS and TARGET force one reading.
     */
    public enum LabelKind { AUTO, CLASS, TARGET }

    /**
     * Reading options. The label column is chosen by {@code labelName} (needs a header) or else by
     * {@code labelIndex} (0-based; negative counts from the end, -1 = last); {@code hasLabel = false}
     * reads features only.
     */
    public record Options(char delimiter, Header header, boolean hasLabel, String labelName, int labelIndex, LabelKind labelKind) {
        /** Comma-separated, header detected, label = last column, label kind detected. */
        public static Options defaults() { return new Options(',', Header.AUTO, true, null, -1, LabelKind.AUTO); }

        public Options delimiter(char d) { return new Options(d, header, hasLabel, labelName, labelIndex, labelKind); }

        public Options header(Header h) { return new Options(delimiter, h, hasLabel, labelName, labelIndex, labelKind); }

        public Options label(String name) { return new Options(delimiter, header, true, name, labelIndex, labelKind); }

        public Options label(int index) { return new Options(delimiter, header, true, null, index, labelKind); }

        public Options noLabel() { return new Options(delimiter, header, false, null, labelIndex, labelKind); }

        public Options labelKind(LabelKind k) { return new Options(delimiter, header, hasLabel, labelName, labelIndex, k); }
    }

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[+]?\\d+");

    /** Reads a UTF-8 CSV file. */
    public static Dataset read(Path file, Options options) throws IOException {
        if (!Files.isRegularFile(file)) throw new DataException(file + ": no such CSV file");
        String name = file.getFileName().toString().replaceFirst("\\.csv$", "");
        return parse(utf8(Files.readAllBytes(file), file.toString()), file.toString(), name, options);
    }

    /** {@code bytes} as UTF-8 text; a DataException naming the file, line and byte offset of the first invalid sequence. */
    static String utf8(byte[] bytes, String source) throws DataException {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.charset.CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT).onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult r = dec.decode(in, out, true);
        if (!r.isError()) r = dec.flush(out);
        if (r.isError()) {
            int at = in.position(), line = 1;
            for (int i = 0; i < at; i++) if (bytes[i] == '\n') line++;
            throw new DataException(source + ":" + line + ": not valid UTF-8 text (byte " + at + " is 0x" + String.format("%02x", bytes[at] & 0xff)
                    + "); save the CSV file as UTF-8");
        }
        return out.flip().toString();
    }

    /** Parses CSV text; {@code source} names it in errors, {@code name} names the data set. */
    public static Dataset parse(String text, String source, String name, Options options) throws DataException {
        List<Row> rows = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            rows.add(split(lines[i], i + 1, source, options.delimiter()));
        }
        if (rows.isEmpty()) throw new DataException(source + ": empty CSV file");
        boolean header = switch (options.header()) {
            case PRESENT -> true;
            case ABSENT -> false;
            case AUTO -> rows.get(0).fields.stream().noneMatch(f -> NUMBER.matcher(f.text).matches());
        };
        Row head = header ? rows.remove(0) : null;
        int width = (head != null ? head : rows.get(0)).fields.size(); // rows is non-empty when there is no header
        for (Row r : rows)
            if (r.fields.size() != width)
                throw new DataException(source + ":" + r.line + ": " + r.fields.size() + " fields, expected " + width
                        + (head != null ? " (as in the header, line " + head.line + ")" : " (as in line " + rows.get(0).line + ")"));
        int label = options.hasLabel() ? labelColumn(head, width, source, options) : -1;

        int nFeatures = width - (label >= 0 ? 1 : 0);
        if (nFeatures == 0)
            throw new DataException(source + ": the table has one column, the label, and no feature columns (is the delimiter '" + options.delimiter() + "' right?)");
        float[] x = new float[rows.size() * nFeatures];
        for (int i = 0, at = 0; i < rows.size(); i++)
            for (int j = 0; j < width; j++)
                if (j != label) x[at++] = (float) number(rows.get(i), j, head, source);
        Column features = Column.floats(Dataset.FEATURES, x, nFeatures);
        if (label < 0) return Dataset.of(name, features);
        return withLabels(name, features, rows, label, head, source, options.labelKind());
    }

    private static int labelColumn(Row head, int width, String source, Options o) throws DataException {
        if (o.labelName() != null) {
            if (head == null) throw new DataException(source + ": label column '" + o.labelName() + "' is given by name but the file has no header");
            for (int j = 0; j < width; j++) if (head.fields.get(j).text.equals(o.labelName())) return j;
            List<String> names = new ArrayList<>();
            for (Field f : head.fields) names.add(f.text);
            throw new DataException(source + ":" + head.line + ": no column named '" + o.labelName() + "'; columns are " + names);
        }
        int j = o.labelIndex() < 0 ? width + o.labelIndex() : o.labelIndex();
        if (j < 0 || j >= width) throw new DataException(source + ": label column index " + o.labelIndex() + " is outside a table of " + width + " columns");
        return j;
    }

    private static Dataset withLabels(String name, Column features, List<Row> rows, int label, Row head, String source, LabelKind kind)
            throws DataException {
        int n = rows.size();
        boolean allNumeric = true, allIndices = true;
        for (Row r : rows) {
            String t = r.fields.get(label).text;
            allNumeric &= NUMBER.matcher(t).matches();
            allIndices &= INTEGER.matcher(t).matches();
        }
        if (kind == LabelKind.TARGET || (kind == LabelKind.AUTO && allNumeric && !allIndices)) {
            float[] y = new float[n];
            for (int i = 0; i < n; i++) y[i] = (float) number(rows.get(i), label, head, source);
            return Dataset.of(name, features, Column.floats(Dataset.LABELS, y));
        }
        int[] y = new int[n];
        if (allIndices) {
            int max = -1;
            for (int i = 0; i < n; i++) {
                Field f = rows.get(i).fields.get(label);
                try {
                    y[i] = Integer.parseInt(f.text.startsWith("+") ? f.text.substring(1) : f.text);
                } catch (NumberFormatException e) {
                    throw new DataException(where(source, rows.get(i), f) + ": class index '" + f.text + "' is too large");
                }
                max = Math.max(max, y[i]);
            }
            Dataset d = Dataset.of(name, features, Column.ints(Dataset.LABELS, y));
            return n == 0 ? d : d.withClasses(max + 1, List.of());
        }
        if (kind == LabelKind.CLASS && allNumeric)
            for (Row r : rows) {
                Field f = r.fields.get(label);
                if (!INTEGER.matcher(f.text).matches())
                    throw new DataException(where(source, r, f) + ": label '" + f.text + "' is not a class index (a non-negative integer)");
            }
        TreeSet<String> names = new TreeSet<>();
        for (Row r : rows) names.add(r.fields.get(label).text);
        List<String> sorted = new ArrayList<>(names);
        for (int i = 0; i < n; i++) y[i] = sorted.indexOf(rows.get(i).fields.get(label).text);
        return Dataset.of(name, features, Column.ints(Dataset.LABELS, y)).withClasses(sorted.size(), sorted);
    }

    private static double number(Row r, int j, Row head, String source) throws DataException {
        Field f = r.fields.get(j);
        if (NUMBER.matcher(f.text).matches()) return Double.parseDouble(f.text);
        String col = head != null ? "column '" + head.fields.get(j).text + "'" : "column " + (j + 1);
        throw new DataException(where(source, r, f) + ": " + (f.text.isEmpty() ? "empty value" : "'" + f.text + "' is not a number")
                + " in " + col);
    }

    private static String where(String source, Row r, Field f) { return source + ":" + r.line + ":" + f.column; }

    private record Field(String text, int column) {}

    private record Row(int line, List<Field> fields) {}

    /** Splits one line into trimmed fields, handling double quotes. */
    private static Row split(String line, int lineNo, String source, char delim) throws DataException {
        List<Field> fields = new ArrayList<>();
        int i = 0, n = line.length();
        while (true) {
            while (i < n && line.charAt(i) == ' ') i++;
            int start = i;
            StringBuilder sb = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) throw new DataException(source + ":" + lineNo + ":" + (start + 1) + ": unterminated quoted field");
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') { sb.append('"'); i++; } else break;
                    } else sb.append(c);
                }
                while (i < n && line.charAt(i) == ' ') i++;
                if (i < n && line.charAt(i) != delim)
                    throw new DataException(source + ":" + lineNo + ":" + (i + 1) + ": unexpected text after a quoted field");
            } else {
                while (i < n && line.charAt(i) != delim) sb.append(line.charAt(i++));
            }
            fields.add(new Field(sb.toString().trim(), start + 1));
            if (i >= n) break;
            i++; // the delimiter
        }
        return new Row(lineNo, fields);
    }
}
