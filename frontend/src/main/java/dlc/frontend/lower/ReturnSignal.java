package dlc.frontend.lower;

/** A {@code return} unwinding to the def or lambda call that inlines it. */
final class ReturnSignal extends RuntimeException {
    final transient Val value;

    ReturnSignal(Val value) {
        super("return", null, false, false);
        this.value = value;
    }
}
