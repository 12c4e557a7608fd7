package dlc.ir.ops;

import dlc.ir.OpDef;

import java.util.List;

final class ControlOps {
    private ControlOps() {}

    static final List<OpDef> ALL = List.of();
}
