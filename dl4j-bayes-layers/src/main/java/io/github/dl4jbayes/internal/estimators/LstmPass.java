package io.github.dl4jbayes.internal.estimators;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One forward pass of an LSTM over a minibatch of sequences, and its backward pass (backpropagation through time),
 * with given weights: whole weights (a draw, or the means), or the means plus a Flipout perturbation with per-sequence
 * signs. Arrays are time-major, {@code [T * B, features]} with the rows of step {@code t} at {@code t * B .. (t + 1) B},
 * so that everything that does not recur (the input product, the weight gradients, the input gradient, the signs) is
 * one ND4J call for the whole sequence; only the recurrent product and the gates loop over time, each step one
 * minibatch-wide call per operation.
 *
 * <pre>
 *   z_t = x_t Wx + h_{t-1} Wh + b  (+ ((x_t o sx) dWx + (h_{t-1} o sh) dWh + db) o sOut    with Flipout)
 *   [i f o] = gate(z_t[0:3H]),  g = act(z_t[3H:4H])
 *   c_t = m_t (f c_{t-1} + i g),  h_t = m_t o act(f c_{t-1} + i g)
 * </pre>
 *
 * where {@code m_t} is the mask (1 without one): as in DL4J's LSTM, a masked step outputs 0 and passes a zero state on.
 */
public final class LstmPass {
    private final IActivation gate;
    private final IActivation cell;
    /** Training passes keep their arrays outside workspaces for the backward pass, reused from step to step. */
    private final boolean persistent;
    private final ScratchArray xStore = new ScratchArray();
    private final ScratchArray zStore = new ScratchArray();
    private final ScratchArray aStore = new ScratchArray();
    private final ScratchArray hStore = new ScratchArray();
    private final ScratchArray cStore = new ScratchArray();
    private final ScratchArray cRawStore = new ScratchArray();
    private final ScratchArray cActStore = new ScratchArray();
    private final ScratchArray xSignedStore = new ScratchArray();
    private final ScratchArray hSignedStore = new ScratchArray();
    private final ScratchArray maskStore = new ScratchArray();
    private final ScratchArray wxStore = new ScratchArray();
    private final ScratchArray whStore = new ScratchArray();
    private final ScratchArray dwxStore = new ScratchArray();
    private final ScratchArray dwhStore = new ScratchArray();

    private long steps;
    private long batch;
    private long hidden;
    private INDArray x;
    private INDArray z;
    private INDArray a;
    private INDArray hs;
    private INDArray cs;
    private INDArray cRaw;
    private INDArray cAct;
    private INDArray xSigned;
    private INDArray hSigned;
    private INDArray mask;
    /** Contiguous copies of the pass's weights, made once per pass: every step's product runs on plain matrices. */
    private INDArray wx;
    private INDArray wh;
    private INDArray dwx;
    private INDArray dwh;
    private INDArray sx;
    private INDArray sh;
    private INDArray sOut;

    /**
     * @param gate       the gates' activation
     * @param cell       the block input's and the cell output's activation
     * @param persistent whether the pass keeps its arrays for a backward pass (outside workspaces)
     */
    public LstmPass(IActivation gate, IActivation cell, boolean persistent) {
        this.gate = gate;
        this.cell = cell;
        this.persistent = persistent;
    }

    /** The weights a pass uses: whole weights, or means and a Flipout perturbation with its signs. */
    public static final class Weights {
        final INDArray w;
        final INDArray b;
        final INDArray dw;
        final INDArray db;
        final INDArray sx;
        final INDArray sh;
        final INDArray sOut;

        private Weights(INDArray w, INDArray b, INDArray dw, INDArray db, INDArray sx, INDArray sh, INDArray sOut) {
            this.w = w;
            this.b = b;
            this.dw = dw;
            this.db = db;
            this.sx = sx;
            this.sh = sh;
            this.sOut = sOut;
        }

        /**
         * @param w whole weights {@code [nIn + H, 4H]} (input weights above recurrent ones), of any order
         * @param b biases {@code [4H]}
         */
        public static Weights whole(INDArray w, INDArray b) {
            return new Weights(w, b, null, null, null, null, null);
        }

        /**
         * @param w    weight means {@code [nIn + H, 4H]}
         * @param b    bias means
         * @param dw   the weights' perturbation {@code sigma eps}
         * @param db   the biases' perturbation
         * @param sx   signs per sequence and input {@code [B, nIn]}
         * @param sh   signs per sequence and hidden unit {@code [B, H]}
         * @param sOut signs per sequence and gate column {@code [B, 4H]}
         */
        public static Weights flipout(INDArray w, INDArray b, INDArray dw, INDArray db, INDArray sx, INDArray sh,
                                      INDArray sOut) {
            return new Weights(w, b, dw, db, sx, sh, sOut);
        }

        boolean isFlipout() {
            return dw != null;
        }
    }

    /** Where the backward pass writes the weight gradients (summed over sequences and steps). */
    public static final class Gradients {
        final INDArray gx;
        final INDArray gh;
        final INDArray gb;
        final INDArray px;
        final INDArray ph;
        final INDArray pb;

        /**
         * @param gw gradient of the weights (whole, or the means with Flipout), {@code [nIn + H, 4H]}
         * @param gb gradient of the biases
         * @param pw gradient of the weights' perturbation (Flipout), or null
         * @param pb gradient of the biases' perturbation (Flipout), or null
         */
        public Gradients(INDArray gw, INDArray gb, INDArray pw, INDArray pb) {
            long nIn = gw.size(0) - gw.size(1) / 4;
            this.gx = rows(gw, 0, nIn);
            this.gh = rows(gw, nIn, gw.size(0));
            this.gb = gb;
            this.px = pw == null ? null : rows(pw, 0, nIn);
            this.ph = pw == null ? null : rows(pw, nIn, pw.size(0));
            this.pb = pb;
        }
    }

    private static INDArray rows(INDArray m, long from, long to) {
        return m.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }

    private INDArray array(ScratchArray store, DataType type, long... shape) {
        return persistent ? store.of(type, shape) : Nd4j.createUninitialized(type, shape);
    }

    private INDArray copy(ScratchArray store, INDArray view) {
        return array(store, view.dataType(), view.shape()).assign(view);
    }

    private INDArray step(INDArray m, long t) {
        return rows(m, t * batch, (t + 1) * batch);
    }

    private static INDArray columns(INDArray m, long from, long to) {
        return m.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
    }

    /** {@code out = a o s} with {@code a [T * B, F]} and per-sequence factors {@code s [B, F]}, the same at every step. */
    private INDArray perSequence(INDArray a, INDArray s, INDArray out) {
        long f = a.size(1);
        INDArray a3 = a.reshape(steps, batch, f);
        INDArray o3 = out.reshape(steps, batch, f);
        Nd4j.getExecutioner().exec(new BroadcastMulOp(a3, s, o3, 1, 2));
        return out;
    }

    private void activate(IActivation fn, INDArray view) {
        INDArray r = fn.getActivation(view, true);
        if (r != view) {
            view.assign(r);
        }
    }

    /**
     * The forward pass.
     *
     * @param input time-major input {@code [T * B, nIn]}, in the weights' data type (kept by a persistent pass)
     * @param h0    the initial hidden state {@code [B, H]}, or null for zeros
     * @param c0    the initial cell state {@code [B, H]}, or null for zeros
     * @param m     the mask, time-major {@code [T * B, 1]}, or null
     * @return the hidden states {@code [T * B, H]}, a view of the pass's own array
     */
    public INDArray forward(INDArray input, long steps, long batch, Weights w, INDArray h0, INDArray c0, INDArray m) {
        this.steps = steps;
        this.batch = batch;
        this.hidden = w.w.size(1) / 4;
        DataType type = w.w.dataType();
        long nIn = w.w.size(0) - hidden;
        wx = copy(wxStore, rows(w.w, 0, nIn));
        wh = copy(whStore, rows(w.w, nIn, nIn + hidden));
        dwx = w.isFlipout() ? copy(dwxStore, rows(w.dw, 0, nIn)) : null;
        dwh = w.isFlipout() ? copy(dwhStore, rows(w.dw, nIn, nIn + hidden)) : null;
        sx = w.sx;
        sh = w.sh;
        sOut = w.sOut;
        long h4 = 4 * hidden;
        long rows = steps * batch;
        this.x = persistent ? xStore.copyOf(input) : input;
        this.mask = m == null ? null : persistent ? maskStore.copyOf(m) : m;
        z = array(zStore, type, rows, h4);
        a = array(aStore, type, rows, h4);
        hs = array(hStore, type, rows + batch, hidden);
        cs = array(cStore, type, rows + batch, hidden);
        cRaw = array(cRawStore, type, rows, hidden);
        cAct = array(cActStore, type, rows, hidden);
        assignOrZero(step(hs, 0), h0);
        assignOrZero(step(cs, 0), c0);

        Nd4j.gemm(x, wx, z, false, false, 1.0, 0.0);
        z.addiRowVector(w.b);
        INDArray q = null;
        if (w.isFlipout()) {
            xSigned = perSequence(x, sx, array(xSignedStore, type, rows, x.size(1)));
            hSigned = array(hSignedStore, type, rows, hidden);
            INDArray p = Nd4j.createUninitialized(type, rows, h4);
            Nd4j.gemm(xSigned, dwx, p, false, false, 1.0, 0.0);
            p.addiRowVector(w.db);
            z.addi(perSequence(p, sOut, p));
            q = Nd4j.createUninitialized(type, batch, h4);
        }
        INDArray ig = Nd4j.createUninitialized(type, batch, hidden);
        for (long t = 0; t < steps; t++) {
            INDArray hPrev = step(hs, t);
            INDArray cPrev = step(cs, t);
            INDArray zt = step(z, t);
            Nd4j.gemm(hPrev, wh, zt, false, false, 1.0, 1.0);
            if (q != null) {
                INDArray hps = step(hSigned, t).assign(hPrev).muli(sh);
                Nd4j.gemm(hps, dwh, q, false, false, 1.0, 0.0);
                zt.addi(q.muli(sOut));
            }
            INDArray at = step(a, t).assign(zt);
            activate(gate, columns(at, 0, 3 * hidden));
            activate(cell, columns(at, 3 * hidden, h4));
            INDArray i = columns(at, 0, hidden);
            INDArray f = columns(at, hidden, 2 * hidden);
            INDArray o = columns(at, 2 * hidden, 3 * hidden);
            INDArray g = columns(at, 3 * hidden, h4);
            INDArray cr = step(cRaw, t).assign(f).muli(cPrev).addi(ig.assign(i).muli(g));
            INDArray ca = step(cAct, t).assign(cr);
            activate(cell, ca);
            INDArray ht = step(hs, t + 1).assign(o).muli(ca);
            INDArray ct = step(cs, t + 1).assign(cr);
            if (mask != null) {
                INDArray mt = step(mask, t);
                ht.muliColumnVector(mt);
                ct.muliColumnVector(mt);
            }
        }
        return rows(hs, batch, rows + batch);
    }

    private static void assignOrZero(INDArray target, INDArray value) {
        if (value == null) {
            target.assign(0);
        } else {
            target.assign(value);
        }
    }

    /** @return the hidden state after the last step {@code [B, H]}, a view */
    public INDArray lastHidden() {
        return step(hs, steps);
    }

    /** @return the cell state after the last step {@code [B, H]}, a view */
    public INDArray lastCell() {
        return step(cs, steps);
    }

    /**
     * The backward pass of the last {@link #forward} (a persistent pass), with its weights.
     *
     * @param eps           {@code dL/dh}, time-major {@code [T * B, H]}
     * @param backwardSteps how many steps to backpropagate through, from the last one (truncated BPTT); the whole
     *                      sequence when &le; 0 or &ge; T
     * @return {@code dL/dx}, time-major {@code [T * B, nIn]} (zero before the truncation)
     */
    public INDArray backward(INDArray eps, int backwardSteps, Gradients grads) {
        DataType type = x.dataType();
        long h4 = 4 * hidden;
        long rows = steps * batch;
        long first = backwardSteps <= 0 || backwardSteps >= steps ? 0 : steps - backwardSteps;
        INDArray dz = first == 0 ? Nd4j.createUninitialized(type, rows, h4) : Nd4j.zeros(type, rows, h4);
        INDArray dhNext = Nd4j.zeros(type, batch, hidden);
        INDArray dcNext = Nd4j.zeros(type, batch, hidden);
        INDArray dh = Nd4j.createUninitialized(type, batch, hidden);
        boolean flipout = dwx != null;
        INDArray dzs = flipout ? Nd4j.createUninitialized(type, batch, h4) : null;
        INDArray dhs = flipout ? Nd4j.createUninitialized(type, batch, hidden) : null;
        for (long t = steps - 1; t >= first; t--) {
            INDArray at = step(a, t);
            INDArray i = columns(at, 0, hidden);
            INDArray f = columns(at, hidden, 2 * hidden);
            INDArray o = columns(at, 2 * hidden, 3 * hidden);
            INDArray g = columns(at, 3 * hidden, h4);
            INDArray mt = mask == null ? null : step(mask, t);
            dh.assign(step(eps, t)).addi(dhNext);
            if (mt != null) {
                dh.muliColumnVector(mt);
                dcNext.muliColumnVector(mt);
            }
            INDArray dzt = step(dz, t);
            INDArray ca = step(cAct, t);
            columns(dzt, 2 * hidden, 3 * hidden).assign(dh).muli(ca);
            INDArray dc = cell.backprop(step(cRaw, t), dh.muli(o)).getFirst().addi(dcNext);
            columns(dzt, 0, hidden).assign(dc).muli(g);
            columns(dzt, hidden, 2 * hidden).assign(dc).muli(step(cs, t));
            columns(dzt, 3 * hidden, h4).assign(dc).muli(i);
            dcNext.assign(dc).muli(f);
            INDArray zt = step(z, t);
            backpropActivation(gate, columns(zt, 0, 3 * hidden), columns(dzt, 0, 3 * hidden));
            backpropActivation(cell, columns(zt, 3 * hidden, h4), columns(dzt, 3 * hidden, h4));
            Nd4j.gemm(dzt, wh, dhNext, false, true, 1.0, 0.0);
            if (dzs != null) {
                dzs.assign(dzt).muli(sOut);
                Nd4j.gemm(dzs, dwh, dhs, false, true, 1.0, 0.0);
                dhNext.addi(dhs.muli(sh));
            }
        }
        INDArray hPrev = rows(hs, 0, rows);
        grads.gx.assign(product(x, dz));
        grads.gh.assign(product(hPrev, dz));
        grads.gb.assign(dz.sum(0));
        INDArray dx = Nd4j.createUninitialized(type, rows, x.size(1));
        Nd4j.gemm(dz, wx, dx, false, true, 1.0, 0.0);
        if (flipout) {
            INDArray dzSigned = perSequence(dz, sOut, Nd4j.createUninitialized(type, rows, h4));
            // hSigned holds h_{t-1} o sh from the forward pass
            grads.px.assign(product(xSigned, dzSigned));
            grads.ph.assign(product(hSigned, dzSigned));
            grads.pb.assign(dzSigned.sum(0));
            INDArray dxp = Nd4j.createUninitialized(type, rows, x.size(1));
            Nd4j.gemm(dzSigned, dwx, dxp, false, true, 1.0, 0.0);
            dx.addi(perSequence(dxp, sx, dxp));
        }
        return dx;
    }

    /** @return {@code a^T b}, summed over the rows (steps and sequences), in a new array */
    private static INDArray product(INDArray a, INDArray b) {
        INDArray out = Nd4j.createUninitialized(a.dataType(), a.size(1), b.size(1));
        Nd4j.gemm(a, b, out, true, false, 1.0, 0.0);
        return out;
    }

    /** {@code delta <- dL/dz} from {@code delta = dL/da} and the pre-activations {@code z} (which it may overwrite). */
    private static void backpropActivation(IActivation fn, INDArray z, INDArray delta) {
        INDArray r = fn.backprop(z, delta).getFirst();
        if (r != delta) {
            delta.assign(r);
        }
    }
}
