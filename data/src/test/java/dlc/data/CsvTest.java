package dlc.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CsvTest {
    @TempDir Path dir;

    static Dataset parse(String text, Csv.Options o) throws DataException { return Csv.parse(text, "t.csv", "t", o); }

    static String error(String text, Csv.Options o) {
        return assertThrows(DataException.class, () -> parse(text, o)).getMessage();
    }

    @Test void headerIsDetectedAndLastColumnIsTheClassLabel() throws IOException {
        Dataset d = parse("a,b,label\n1,2,0\n3.5,-4e1,2\n\n5,6,1\n", Csv.Options.defaults());
        assertEquals(3, d.size());
        assertArrayEquals(new int[]{3, 2}, d.features().shape());
        assertArrayEquals(new float[]{1, 2, 3.5f, -40, 5, 6}, d.features().floats());
        assertArrayEquals(new int[]{0, 2, 1}, d.labels().ints());
        assertEquals(3, d.numClasses());
    }

    /** Issue 10: invalid UTF-8 said only "Input length = 1"; now the file, the line and the byte. */
    @Test void invalidUtf8NamesTheFileAndLine() throws IOException {
        Path f = dir.resolve("latin1.csv");
        Files.write(f, new byte[]{'a', ',', 'y', '\n', '1', ',', '0', '\n', (byte) 0xe9, ',', '1', '\n'});
        DataException e = assertThrows(DataException.class, () -> Csv.read(f, Csv.Options.defaults()));
        assertEquals(f + ":3: not valid UTF-8 text (byte 8 is 0xe9); save the CSV file as UTF-8", e.getMessage());
    }

    /** Found by ReaderFuzzTest: a one-column table (a wrong delimiter) was an internal IllegalArgumentException from Dataset. */
    @Test void aLabelWithoutFeaturesIsAnError() {
        assertEquals("t.csv: the table has one column, the label, and no feature columns (is the delimiter ';' right?)",
                error("5,4,\n5,6,\n", Csv.Options.defaults().delimiter(';')));
    }

    @Test void noHeaderAndLabelByIndex() throws IOException {
        Dataset d = parse("1,10,20\n0,30,40\n", Csv.Options.defaults().label(0));
        assertArrayEquals(new float[]{10, 20, 30, 40}, d.features().floats());
        assertArrayEquals(new int[]{1, 0}, d.labels().ints());
    }

    @Test void labelByNameAndStringClassNames() throws IOException {
        Dataset d = parse("species,w,h\nsetosa,1,2\nvirginica,3,4\nsetosa,5,6\n", Csv.Options.defaults().label("species"));
        assertEquals(List.of("setosa", "virginica"), d.classNames());
        assertArrayEquals(new int[]{0, 1, 0}, d.labels().ints());
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, d.features().floats());
    }

    @Test void fractionalLabelsAreRegressionTargets() throws IOException {
        Dataset d = parse("x,y\n1,0.5\n2,1.5\n", Csv.Options.defaults());
        assertFalse(d.isClassification());
        assertTrue(d.labels().isFloat());
        assertArrayEquals(new float[]{0.5f, 1.5f}, d.labels().floats());
        Dataset forced = parse("x,y\n1,1\n2,3\n", Csv.Options.defaults().labelKind(Csv.LabelKind.TARGET));
        assertArrayEquals(new float[]{1, 3}, forced.labels().floats());
    }

    @Test void quotedFieldsDelimitersAndNoLabel() throws IOException {
        Dataset d = parse("\"a;b\";c\n\"1\"; 2 \n", Csv.Options.defaults().delimiter(';').noLabel());
        assertEquals(List.of("x"), d.columnNames());
        assertArrayEquals(new float[]{1, 2}, d.features().floats());
    }

    @Test void parseErrorsNameFileLineAndColumn() {
        String m = error("a,b,c\n1,2,0\n1,oops,1\n", Csv.Options.defaults());
        assertTrue(m.startsWith("t.csv:3:3:") && m.contains("'oops' is not a number") && m.contains("column 'b'"), m);
        m = error("1,2,0\n1,,1\n", Csv.Options.defaults());
        assertTrue(m.startsWith("t.csv:2:3:") && m.contains("empty value") && m.contains("column 2"), m);
        m = error("a,b\n1,2\n1,2,3\n", Csv.Options.defaults());
        assertTrue(m.startsWith("t.csv:3:") && m.contains("3 fields, expected 2"), m);
        m = error("1,2\n", Csv.Options.defaults().label("y"));
        assertTrue(m.contains("no header"), m);
        m = error("a,b\n1,2\n", Csv.Options.defaults().label("y"));
        assertTrue(m.contains("no column named 'y'") && m.contains("[a, b]"), m);
        m = error("a,b\n1,2\n", Csv.Options.defaults().label(5));
        assertTrue(m.contains("label column index 5"), m);
        m = error("a,b\n1,0.5\n", Csv.Options.defaults().labelKind(Csv.LabelKind.CLASS));
        assertTrue(m.startsWith("t.csv:2:3:") && m.contains("not a class index"), m);
        m = error("a,b\n\"1,2\n", Csv.Options.defaults());
        assertTrue(m.startsWith("t.csv:2:1:") && m.contains("unterminated"), m);
        m = error("\n\n", Csv.Options.defaults());
        assertTrue(m.contains("empty CSV"), m);
        m = error("1,NaN,0\n", Csv.Options.defaults().header(Csv.Header.ABSENT));
        assertTrue(m.contains("'NaN' is not a number"), m);
    }

    @Test void readsAFileAndNamesItInErrors() throws IOException {
        Path f = dir.resolve("data.csv");
        Files.writeString(f, "x1,x2,y\n1,2,1\n3,4,0\n");
        Dataset d = Csv.read(f, Csv.Options.defaults());
        assertEquals("data", d.name());
        assertEquals(2, d.numClasses());
        Files.writeString(f, "x1,x2,y\n1,2,1\n3,?,0\n");
        String m = assertThrows(DataException.class, () -> Csv.read(f, Csv.Options.defaults())).getMessage();
        assertTrue(m.startsWith(f + ":3:3:"), m);
        assertTrue(assertThrows(DataException.class, () -> Csv.read(dir.resolve("none.csv"), Csv.Options.defaults())).getMessage().contains("none.csv"));
    }
}
