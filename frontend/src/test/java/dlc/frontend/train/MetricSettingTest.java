package dlc.frontend.train;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The accuracy a train block reports pairs the prediction with the loss's labels, never with a
 * token the model reads (issue 9: the old default took the first integer input, so a tagger was
 * scored against its own input and a language model against the current token).
 */
class MetricSettingTest {
    /** A tagger with the shape of birnn.dl/transformer.dl: x feeds the prediction, y and mask only the loss. */
    static final String TAGGER = """
            model Tagger {
              input x: i32[B, T]
              input y: i32[B, T]
              input mask: f32[B, T]
              param table: f32[5, 5] = 0.1
              logits = table[x]
              output probs = softmax(logits)
              loss sum(-sum(log_softmax(logits) * one_hot(y, 5), -1) * mask) / sum(mask)
            }
            """;

    /** A language model with the shape of lstm.dl: one integer input, shifted for the loss. */
    static final String LM = """
            model Lm {
              input tokens: i32[B, T]
              param table: f32[5, 5] = 0.1
              logits = table[tokens]
              output probs = softmax(logits)
              %s
              loss -mean(sum(log_softmax(logits[:, :-1]) * one_hot(tokens[:, 1:], 5), -1))
            }
            """;

    static Compilation compile(String src) { return Frontend.compileSource("test.dl", src, null); }

    @Test void theDefaultLabelsAreTheLossTargetNotTheInputTokensAndTheMaskIsFound() {
        Compilation c = compile(TAGGER + "train Tagger { optimizer sgd() }");
        assertTrue(c.ok() && c.diagnostics().isEmpty(), c::render);
        assertEquals(new TrainPlan.Metric("masked_accuracy", "probs", "y", "mask"), c.train().metric(),
                "x feeds the prediction, so y is the label; mask is read by the loss only");
    }

    @Test void withoutAMaskTheDefaultIsPlainAccuracyOnTheTarget() {
        String noMask = TAGGER.replace("  input mask: f32[B, T]\n", "").replace(" * mask) / sum(mask)", ")");
        Compilation c = compile(noMask + "train Tagger { optimizer sgd() }");
        assertTrue(c.ok(), c::render);
        assertEquals(new TrainPlan.Metric("accuracy", "probs", "y"), c.train().metric());
    }

    @Test void aLanguageModelGetsNoGuessedMetricButAWarningAtTheBlock() {
        Compilation c = compile(LM.formatted("") + "train Lm { optimizer sgd() }");
        assertTrue(c.ok(), c::render);
        assertNull(c.train().metric(), "tokens feeds probs: scoring probs against tokens would score the current token");
        String text = c.render();
        assertTrue(text.contains("test.dl:9:1: warning: no default accuracy: the integer input tokens feeds the model's outputs"), text);
        assertTrue(text.contains("metric accuracy(OUTPUT, LABELS)"), text);
        assertTrue(compile(LM.formatted("") + "train Lm { optimizer sgd()\n metric none }").diagnostics().isEmpty(), "metric none silences it");
    }

    @Test void labelsMayBeAnOutputSoTheNextTokenIsScored() {
        String outputs = "output next_probs = probs[:, :-1]\n  output next_tokens = tokens[:, 1:]";
        Compilation c = compile(LM.formatted(outputs) + "train Lm { optimizer sgd()\n metric accuracy(next_probs, next_tokens) }");
        assertTrue(c.ok() && c.diagnostics().isEmpty(), c::render);
        assertEquals(new TrainPlan.Metric("accuracy", "next_probs", "next_tokens"), c.train().metric());
    }

    @Test void maskedAccuracyIsWrittenWithItsMask() {
        Compilation c = compile(TAGGER + "train Tagger { optimizer sgd()\n metric masked_accuracy(probs, y, mask) }");
        assertTrue(c.ok(), c::render);
        assertEquals(new TrainPlan.Metric("masked_accuracy", "probs", "y", "mask"), c.train().metric());
        assertEquals(new TrainPlan.Metric("accuracy", "probs", "y"),
                compile(TAGGER + "train Tagger { optimizer sgd()\n metric accuracy(probs, y) }").train().metric(), "token-level, every position");
    }

    @Test void mistakesInTheMetricAreDiagnostics() {
        String wrongMask = compile(TAGGER.replace("input mask: f32[B, T]", "input mask: f32[B]").replace(" * mask) / sum(mask)", ") * mean(mask)")
                + "train Tagger { optimizer sgd()\n metric masked_accuracy(probs, y, mask) }").render();
        assertTrue(wrongMask.contains("error: the mask 'mask' is f32[B] but the labels 'y' are i32[B, T]"), wrongMask);
        String unknown = compile(TAGGER + "train Tagger { optimizer sgd()\n metric masked_accuracy(probs, y, msk) }").render();
        assertTrue(unknown.contains("the model has no input or output named 'msk'") && unknown.contains("did you mean 'mask'?"), unknown);
        String arity = compile(TAGGER + "train Tagger { optimizer sgd()\n metric masked_accuracy(probs, y) }").render();
        assertTrue(arity.contains("error: unknown metric") && arity.contains("masked_accuracy(OUTPUT, LABELS, MASK)"), arity);
        String floatLabels = compile(TAGGER + "train Tagger { optimizer sgd()\n metric accuracy(probs, mask) }").render();
        assertTrue(floatLabels.contains("with integer labels, but 'probs' is f32[B, T, 5] and 'mask' is f32[B, T]"), floatLabels);
    }
}
