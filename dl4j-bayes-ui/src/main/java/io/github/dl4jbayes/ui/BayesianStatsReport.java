package io.github.dl4jbayes.ui;

import org.deeplearning4j.core.storage.Persistable;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One training step's Bayesian statistics as DL4J's stats storage keeps them (a {@link Persistable} of type
 * {@link #TYPE_ID}): the ELBO, its KL and expected log-likelihood parts, the KL weight in force, and the mean
 * posterior standard deviation of each Bayesian layer's weights. Written by {@link BayesianStatsListener}, read by
 * {@link BayesianUIModule}; it stores in {@code InMemoryStatsStorage} and {@code FileStatsStorage} alike.
 */
public final class BayesianStatsReport implements Persistable {
    private static final long serialVersionUID = 1L;

    /** The type ID under which the reports are stored. */
    public static final String TYPE_ID = "BayesianStats";

    private String sessionId;
    private String workerId;
    private long timeStamp;
    private long iteration;
    private double elbo;
    private double kl;
    private double klWeight;
    private Map<String, Double> meanPosteriorStd = new LinkedHashMap<>();

    /** For decoding. */
    public BayesianStatsReport() {
    }

    /**
     * @param iteration        the step (1-based: after the first update, 1)
     * @param elbo             the ELBO (the whole training set's, a single-draw estimate)
     * @param kl               the KL divergence of the posterior from the prior
     * @param klWeight         the KL weight in force (below 1 during a warm-up)
     * @param meanPosteriorStd per Bayesian layer (its name or index), the mean posterior std of its weights
     */
    public BayesianStatsReport(String sessionId, String workerId, long timeStamp, long iteration, double elbo, double kl,
                               double klWeight, Map<String, Double> meanPosteriorStd) {
        this.sessionId = sessionId;
        this.workerId = workerId;
        this.timeStamp = timeStamp;
        this.iteration = iteration;
        this.elbo = elbo;
        this.kl = kl;
        this.klWeight = klWeight;
        this.meanPosteriorStd = new LinkedHashMap<>(meanPosteriorStd);
    }

    /** @return the step (1-based) */
    public long getIteration() {
        return iteration;
    }

    /** @return the ELBO */
    public double getElbo() {
        return elbo;
    }

    /** @return the KL divergence of the posterior from the prior */
    public double getKl() {
        return kl;
    }

    /** @return the expected log-likelihood of the training data, {@code ELBO + KL} */
    public double getExpectedLogLikelihood() {
        return elbo + kl;
    }

    /** @return the KL weight in force at this step */
    public double getKlWeight() {
        return klWeight;
    }

    /** @return per Bayesian layer, the mean posterior standard deviation of its weights */
    public Map<String, Double> getMeanPosteriorStd() {
        return Collections.unmodifiableMap(meanPosteriorStd);
    }

    @Override
    public String getSessionID() {
        return sessionId;
    }

    @Override
    public String getTypeID() {
        return TYPE_ID;
    }

    @Override
    public String getWorkerID() {
        return workerId;
    }

    @Override
    public long getTimeStamp() {
        return timeStamp;
    }

    @Override
    public int encodingLengthBytes() {
        return encode().length;
    }

    @Override
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            encode(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public void encode(ByteBuffer buffer) {
        buffer.put(encode());
    }

    @Override
    public void encode(OutputStream outputStream) throws IOException {
        DataOutputStream out = new DataOutputStream(outputStream);
        out.writeUTF(sessionId);
        out.writeUTF(workerId);
        out.writeLong(timeStamp);
        out.writeLong(iteration);
        out.writeDouble(elbo);
        out.writeDouble(kl);
        out.writeDouble(klWeight);
        out.writeInt(meanPosteriorStd.size());
        for (Map.Entry<String, Double> e : meanPosteriorStd.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeDouble(e.getValue());
        }
        out.flush();
    }

    @Override
    public void decode(byte[] decode) {
        try {
            decode(new ByteArrayInputStream(decode));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void decode(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        decode(bytes);
    }

    @Override
    public void decode(InputStream inputStream) throws IOException {
        DataInputStream in = new DataInputStream(inputStream);
        sessionId = in.readUTF();
        workerId = in.readUTF();
        timeStamp = in.readLong();
        iteration = in.readLong();
        elbo = in.readDouble();
        kl = in.readDouble();
        klWeight = in.readDouble();
        int layers = in.readInt();
        meanPosteriorStd = new LinkedHashMap<>();
        for (int i = 0; i < layers; i++) {
            meanPosteriorStd.put(in.readUTF(), in.readDouble());
        }
    }
}
