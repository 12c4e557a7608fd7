package dlc.train;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.*;

class ProgressTest {
    @Test void aTerminalGetsOneRedrawnLine() {
        StringWriter s = new StringWriter();
        Progress p = new Progress(new PrintWriter(s), true);
        p.start("epoch 1/2", 4);
        for (int b = 1; b <= 4; b++) p.update(b, 8L * b, 1.0 / b);
        String out = s.toString();
        assertEquals(4, out.chars().filter(c -> c == '\r').count(), out);
        assertEquals(1, out.chars().filter(c -> c == '\n').count(), "one newline, after the last batch: " + out);
        assertTrue(out.contains("\repoch 1/2 [======                  ] 1/4 loss 1.0000 "), out);
        assertTrue(out.contains("\repoch 1/2 [========================] 4/4 loss 0.2500 "), out);
    }

    @Test void aLogGetsPlainLinesAndTheLastBatch() {
        StringWriter s = new StringWriter();
        Progress p = new Progress(new PrintWriter(s), false);
        p.start("epoch 1/1", 3);
        for (int b = 1; b <= 3; b++) p.update(b, b, Double.NaN);
        String out = s.toString();
        assertFalse(out.contains("\r"), out);
        assertTrue(out.matches("epoch 1/1 \\[=+\\] 3/3 \\d+ samples/s\\n"), "within 5 s only the last batch is printed; no loss without one: " + out);
    }
}
