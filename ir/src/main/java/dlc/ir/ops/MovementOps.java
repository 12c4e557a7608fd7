package dlc.ir.ops;

import dlc.ir.OpDef;

import java.util.List;

final class MovementOps {
    private MovementOps() {}

    static final List<OpDef> ALL = List.of();
}
