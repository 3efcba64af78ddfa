package org.dnnc.compiler.ir;

/**
 * One dimension of a tensor type: a fixed size, the symbolic batch size, or a variable sequence
 * length with an upper bound. Dimensions agree only when equal: a batch with a batch, a variable
 * with the same variable.
 */
public sealed interface Dim permits Dim.Fixed, Dim.Batch, Dim.Var {

    /** The batch dimension; all batch dimensions of a graph stand for the same size. */
    Batch BATCH = new Batch();

    static Dim of(int size) {
        return new Fixed(size);
    }

    /**
     * The largest size this dimension can take: the size of a fixed dimension, the maximum of a
     * variable one.
     *
     * @throws IllegalStateException for the batch dimension, which has no bound
     */
    int bound();

    /** A size known at compile time. */
    record Fixed(int size) implements Dim {
        @Override
        public int bound() {
            return size;
        }

        @Override
        public String toString() {
            return Integer.toString(size);
        }
    }

    /** The batch size, chosen at run time; printed {@code N}. */
    record Batch() implements Dim {
        @Override
        public int bound() {
            throw new IllegalStateException("the batch dimension has no bound");
        }

        @Override
        public String toString() {
            return "N";
        }
    }

    /** A sequence length that varies between batches, at most {@code max}; printed by its name. */
    record Var(String name, int max) implements Dim {
        public Var {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a variable dimension needs a name");
            }
        }

        @Override
        public int bound() {
            return max;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
