package dev.fraudscorer.score;

/**
 * Exact TreeSHAP (Lundberg, Erion and Lee, "Consistent Individualized Feature Attribution for Tree Ensembles",
 * Algorithm 2), as XGBoost's CPU predictor computes {@code predictContrib}: paths weighted by node covers, the
 * tree's cover-weighted mean credited to the bias. Written from the paper; checked against xgboost4j in tests.
 */
final class TreeShap {

    private TreeShap() {
    }

    /** One element of the path of unique features from the root: its zero/one fractions and permutation weight. */
    private static final class Path {
        final int[] feature;
        final double[] zero;
        final double[] one;
        final double[] weight;

        Path(int capacity) {
            feature = new int[capacity];
            zero = new double[capacity];
            one = new double[capacity];
            weight = new double[capacity];
        }

        Path copy(int length, int capacity) {
            final Path p = new Path(capacity);
            System.arraycopy(feature, 0, p.feature, 0, length);
            System.arraycopy(zero, 0, p.zero, 0, length);
            System.arraycopy(one, 0, p.one, 0, length);
            System.arraycopy(weight, 0, p.weight, 0, length);
            return p;
        }
    }

    static void addContributions(TreeEnsemble.Tree tree, float[] x, double[] phi) {
        if (tree.cover == null) {
            throw new IllegalArgumentException("the model JSON has no sum_hessian (node covers); contributions need them");
        }
        phi[phi.length - 1] += tree.meanValue[0];
        recurse(tree, x, phi, 0, 0, new Path(1), 1, 1, -1);
    }

    private static void recurse(TreeEnsemble.Tree tree, float[] x, double[] phi, int node, int depth, Path parent,
                                double parentZero, double parentOne, int parentFeature) {
        final Path path = parent.copy(depth, depth + 2);
        extend(path, depth, parentZero, parentOne, parentFeature);
        if (tree.isLeaf(node)) {
            final double leaf = tree.condition[node];
            for (int i = 1; i <= depth; i++) {
                final double w = unwoundSum(path, depth, i);
                phi[path.feature[i]] += w * (path.one[i] - path.zero[i]) * leaf;
            }
            return;
        }
        final int split = tree.feature[node];
        final int hot = tree.next(node, x);
        final int cold = hot == tree.left[node] ? tree.right[node] : tree.left[node];
        final double cover = tree.cover[node];
        final double hotZero = tree.cover[hot] / cover;
        final double coldZero = tree.cover[cold] / cover;
        double incomingZero = 1;
        double incomingOne = 1;
        // A feature already on the path: undo that split so it is counted once.
        int at = 0;
        while (at <= depth && path.feature[at] != split) {
            at++;
        }
        int unique = depth;
        if (at != depth + 1) {
            incomingZero = path.zero[at];
            incomingOne = path.one[at];
            unwind(path, unique, at);
            unique--;
        }
        recurse(tree, x, phi, hot, unique + 1, path, hotZero * incomingZero, incomingOne, split);
        recurse(tree, x, phi, cold, unique + 1, path, coldZero * incomingZero, 0, split);
    }

    private static void extend(Path p, int depth, double zero, double one, int feature) {
        p.feature[depth] = feature;
        p.zero[depth] = zero;
        p.one[depth] = one;
        p.weight[depth] = depth == 0 ? 1 : 0;
        for (int i = depth - 1; i >= 0; i--) {
            p.weight[i + 1] += one * p.weight[i] * (i + 1) / (double) (depth + 1);
            p.weight[i] = zero * p.weight[i] * (depth - i) / (double) (depth + 1);
        }
    }

    private static void unwind(Path p, int depth, int index) {
        final double one = p.one[index];
        final double zero = p.zero[index];
        double next = p.weight[depth];
        for (int i = depth - 1; i >= 0; i--) {
            if (one != 0) {
                final double tmp = p.weight[i];
                p.weight[i] = next * (depth + 1) / ((i + 1) * one);
                next = tmp - p.weight[i] * zero * (depth - i) / (double) (depth + 1);
            } else {
                p.weight[i] = p.weight[i] * (depth + 1) / (zero * (depth - i));
            }
        }
        for (int i = index; i < depth; i++) {
            p.feature[i] = p.feature[i + 1];
            p.zero[i] = p.zero[i + 1];
            p.one[i] = p.one[i + 1];
        }
    }

    private static double unwoundSum(Path p, int depth, int index) {
        final double one = p.one[index];
        final double zero = p.zero[index];
        double next = p.weight[depth];
        double total = 0;
        for (int i = depth - 1; i >= 0; i--) {
            if (one != 0) {
                final double tmp = next * (depth + 1) / ((i + 1) * one);
                total += tmp;
                next = p.weight[i] - tmp * zero * ((depth - i) / (double) (depth + 1));
            } else if (zero != 0) {
                total += (p.weight[i] / zero) / ((depth - i) / (double) (depth + 1));
            }
        }
        return total;
    }
}
