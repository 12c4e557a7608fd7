package dlc.ir.ops;

import dlc.ir.OpDef;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every registered op has exactly one typed handle in {@link Ops}, named after the op, and every
 * handle is registered (a handle declared without {@code def} would be an op the registry lacks).
 */
class OpsHandlesTest {
    @Test
    void everyOpHasOneHandleNamedAfterIt() throws IllegalAccessException {
        Map<OpDef, String> handles = new IdentityHashMap<>();
        for (Field f : Ops.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || !OpDef.class.isAssignableFrom(f.getType())) continue;
            OpDef op = (OpDef) f.get(null);
            assertNotNull(op, f.getName());
            assertEquals(op.name().toUpperCase(Locale.ROOT), f.getName(), "handle name for op " + op.name());
            assertNull(handles.put(op, f.getName()), "op " + op.name() + " has two handles");
            assertSame(op, Ops.get(op.name()), "handle " + f.getName() + " is not the registered op of its name");
        }
        List<String> missing = Ops.all().stream().filter(op -> !handles.containsKey(op)).map(OpDef::name).toList();
        assertEquals(List.of(), missing, "ops without a handle in Ops");
        assertEquals(Ops.all().size(), handles.size());
    }
}
