package dev.fraudscorer.score;

/**
 * Exact TreeSHAP (Lundberg, Erion and Lee, "Consistent Individualized Feature Attribution for Tree Ensembles",
 * Algorithm 2), as XGBoost's CPU predictor computes {@code predictContrib}: paths weighted by node covers, the
 * tree's cover-weighted mean credited to the bias. Written from the paper; checked against xgboost4j in tests.
 *
 * <p>The paths live in one {@link Paths} per call, a slice per level of the recursion, as XGBoost keeps them, and
 * the weights multiply by reciprocals: a new path object per node and a division per step had a 100-tree depth-3
 * model take 76 us per row (JMH, {@code ScoringBenchmark}); 51 us now, the arithmetic's latency.
 */
final class TreeShap {

    private TreeShap() {
    }

    /**
     * The path of unique features from the root at each level of the recursion: feature, zero/one fractions and
     * permutation weight of each element, level {@code l}'s path starting at {@code l * stride}.
     */
    static final class Paths {
        final int stride;
        final int[] feature;
        final double[] zero;
        final double[] one;
        final double[] weight;

        /** @param maxDepth the deepest leaf's depth over the trees to explain (root 0) */
        Paths(int maxDepth) {
            // A path at level l holds at most l + 1 elements; one more keeps the arithmetic in extend simple.
            stride = maxDepth + 2;
            final int n = stride * (maxDepth + 1);
            feature = new int[n];
            zero = new double[n];
            one = new double[n];
            weight = new double[n];
        }
    }

    static void addContributions(TreeEnsemble.Tree tree, float[] x, double[] phi, Paths paths) {
        if (tree.cover == null) {
            throw new IllegalArgumentException("the model JSON has no sum_hessian (node covers); contributions need them");
        }
        phi[phi.length - 1] += tree.meanValue[0];
        recurse(tree, x, phi, paths, 0, 0, 0, 1, 1, -1);
    }

    private static void recurse(TreeEnsemble.Tree tree, float[] x, double[] phi, Paths paths, int node, int level,
                                int depth, double parentZero, double parentOne, int parentFeature) {
        final int p = level * paths.stride;
        if (level > 0) {
            // This level's path starts as a copy of the parent's, which its other child reads again afterwards.
            final int from = p - paths.stride;
            System.arraycopy(paths.feature, from, paths.feature, p, depth);
            System.arraycopy(paths.zero, from, paths.zero, p, depth);
            System.arraycopy(paths.one, from, paths.one, p, depth);
            System.arraycopy(paths.weight, from, paths.weight, p, depth);
        }
        extend(paths, p, depth, parentZero, parentOne, parentFeature);
        if (tree.isLeaf(node)) {
            final double leaf = tree.condition[node];
            for (int i = 1; i <= depth; i++) {
                final double w = unwoundSum(paths, p, depth, i);
                phi[paths.feature[p + i]] += w * (paths.one[p + i] - paths.zero[p + i]) * leaf;
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
        while (at <= depth && paths.feature[p + at] != split) {
            at++;
        }
        int unique = depth;
        if (at != depth + 1) {
            incomingZero = paths.zero[p + at];
            incomingOne = paths.one[p + at];
            unwind(paths, p, unique, at);
            unique--;
        }
        recurse(tree, x, phi, paths, hot, level + 1, unique + 1, hotZero * incomingZero, incomingOne, split);
        recurse(tree, x, phi, paths, cold, level + 1, unique + 1, coldZero * incomingZero, 0, split);
    }

    /** 1/k: the recursion's divisions by small integers become multiplications (double division is slow). */
    private static final double[] INVERSE = new double[130];

    static {
        for (int k = 1; k < INVERSE.length; k++) {
            INVERSE[k] = 1.0 / k;
        }
    }

    private static double inverse(int k) {
        return k < INVERSE.length ? INVERSE[k] : 1.0 / k;
    }

    private static void extend(Paths s, int p, int depth, double zero, double one, int feature) {
        s.feature[p + depth] = feature;
        s.zero[p + depth] = zero;
        s.one[p + depth] = one;
        s.weight[p + depth] = depth == 0 ? 1 : 0;
        final double[] w = s.weight;
        final double perLength = inverse(depth + 1);
        for (int i = depth - 1; i >= 0; i--) {
            w[p + i + 1] += one * w[p + i] * (i + 1) * perLength;
            w[p + i] = zero * w[p + i] * (depth - i) * perLength;
        }
    }

    private static void unwind(Paths s, int p, int depth, int index) {
        final double one = s.one[p + index];
        final double zero = s.zero[p + index];
        final double[] w = s.weight;
        final double length = depth + 1;
        double next = w[p + depth];
        if (one != 0) {
            final double scale = length / one;
            final double zeroPerLength = zero / length;
            for (int i = depth - 1; i >= 0; i--) {
                final double tmp = w[p + i];
                w[p + i] = next * scale * inverse(i + 1);
                next = tmp - w[p + i] * zeroPerLength * (depth - i);
            }
        } else {
            final double scale = length / zero;
            for (int i = depth - 1; i >= 0; i--) {
                w[p + i] = w[p + i] * scale * inverse(depth - i);
            }
        }
        for (int i = index; i < depth; i++) {
            s.feature[p + i] = s.feature[p + i + 1];
            s.zero[p + i] = s.zero[p + i + 1];
            s.one[p + i] = s.one[p + i + 1];
        }
    }

    private static double unwoundSum(Paths s, int p, int depth, int index) {
        final double one = s.one[p + index];
        final double zero = s.zero[p + index];
        final double[] w = s.weight;
        final double length = depth + 1;
        double next = w[p + depth];
        double total = 0;
        if (one != 0) {
            final double scale = length / one;
            final double zeroPerLength = zero / length;
            for (int i = depth - 1; i >= 0; i--) {
                final double tmp = next * scale * inverse(i + 1);
                total += tmp;
                next = w[p + i] - tmp * zeroPerLength * (depth - i);
            }
        } else if (zero != 0) {
            final double scale = length / zero;
            for (int i = depth - 1; i >= 0; i--) {
                total += w[p + i] * scale * inverse(depth - i);
            }
        }
        return total;
    }
}
