package org.dnnc.compiler.sema;

/** A count with a unit, as bound to an argument: {@code 5 epochs}. Units are normalised to plural. */
public record Duration(long amount, String unit) {
    @Override
    public String toString() {
        return amount + " " + unit;
    }
}
