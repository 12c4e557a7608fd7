package dlc.frontend.lower;

import dlc.frontend.ast.Span;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Parameter scope paths are assigned lazily, in the order scopes first declare something. */
class FrameTest {
    private static final Span AT = new Span("f.dl", 1, 1, 1);

    @Test
    void onlyCallsThatDeclareTakeANumber() {
        Frame model = Frame.root("", "model");
        Frame act = model.call("dense", AT, true);      // declares nothing
        Frame first = model.call("dense", AT, true);
        assertEquals("dense.w", first.qualify("w"));
        Frame second = model.call("dense", AT, true);
        assertEquals("dense_1.w", second.qualify("w"));
        assertEquals("dense_1.b", second.qualify("b"), "a scope keeps its name");
        assertNotNull(act);
    }

    @Test
    void nestedScopesAndUnscopedLambdas() {
        Frame model = Frame.root("", "model");
        Frame enc = model.call("encoder", AT, true);
        Frame lam = enc.call("lambda", AT, false);
        Frame d = lam.call("dense", AT, true);
        assertEquals("encoder.dense.w", d.qualify("w"));
        Frame d2 = enc.call("dense", AT, true);
        assertEquals("encoder.dense_1.w", d2.qualify("w"), "the lambda's dense counted in encoder's scope");
        Frame enc2 = model.call("encoder", AT, true);
        assertEquals("encoder_1.dense.w", enc2.call("dense", AT, true).qualify("w"));
        assertEquals("w", model.qualify("w"));
    }

    /**
     * A shared instance's scope is claimed when it first declares, like a plain call's, and each
     * call of the instance numbers its own inner scopes afresh, so both calls name alike.
     */
    @Test
    void callsOfASharedInstanceBorrowItsScope() {
        Frame model = Frame.root("", "model");
        Frame anchor = model.anchor("enc", AT, null);
        assertEquals("enc.dense.w", model.call("enc", AT, true).call("dense", AT, true).qualify("w"), "a plain call came first");
        SharedInstance inst = new SharedInstance(null, anchor, null);
        for (int k = 0; k < 2; k++) {
            Frame call = model.callShared(inst, AT, k);
            assertEquals("enc_1.dense.w", call.call("dense", AT, true).qualify("w"), "call " + k);
            assertEquals("enc_1.dense_1.w", call.call("dense", AT, true).qualify("w"), "call " + k);
            assertEquals("enc_1.b", call.qualify("b"));
        }
        assertEquals("enc_2.w", model.call("enc", AT, true).qualify("w"), "later plain calls number after the instance");
        assertEquals("named.w", model.anchor("enc", AT, "named").qualify("w"));
    }

    @Test
    void randomSitesAreDistinctAndStable() {
        Frame model = Frame.root("", "model");
        Frame a = model.call("drop", AT, true), b = model.call("drop", AT, true);
        assertEquals("/model/drop_0#0", a.nextSite());
        assertEquals("/model/drop_0#1", a.nextSite());
        assertEquals("/model/drop_1#0", b.nextSite());
        assertNotEquals(BuiltinsRandom.salt("/model/drop_0#0"), BuiltinsRandom.salt("/model/drop_1#0"));
        assertEquals(0xaf63dc4c8601ec8cL, BuiltinsRandom.salt("a"), "FNV-1a 64 of \"a\"");
    }
}
