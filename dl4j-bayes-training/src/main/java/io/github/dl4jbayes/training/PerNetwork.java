package io.github.dl4jbayes.training;

import org.deeplearning4j.nn.api.Model;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

/**
 * A value per network, found by identity (DL4J's networks define {@code equals} by their parameters) and held
 * weakly so that nothing here keeps a network alive. Thread-safe.
 *
 * @param <T> the value's type
 */
final class PerNetwork<T> {
    private final List<Entry<T>> entries = new ArrayList<>();

    private static final class Entry<T> {
        final WeakReference<Model> net;
        final T value;

        Entry(Model net, T value) {
            this.net = new WeakReference<>(net);
            this.value = value;
        }
    }

    /** @return {@code net}'s value, or null when it has none */
    synchronized T get(Model net) {
        for (Iterator<Entry<T>> it = entries.iterator(); it.hasNext(); ) {
            Entry<T> e = it.next();
            Model held = e.net.get();
            if (held == null) {
                it.remove();
            } else if (held == net) {
                return e.value;
            }
        }
        return null;
    }

    /** @return {@code net}'s value, made by {@code create} (and kept) when it has none */
    synchronized T computeIfAbsent(Model net, Supplier<T> create) {
        T value = get(net);
        if (value == null) {
            value = create.get();
            entries.add(new Entry<>(net, value));
        }
        return value;
    }

    /** Sets {@code net}'s value (null removes it). */
    synchronized void put(Model net, T value) {
        remove(net);
        if (value != null) {
            entries.add(new Entry<>(net, value));
        }
    }

    /** @return {@code net}'s value, removed, or null when it had none */
    synchronized T remove(Model net) {
        T value = get(net);
        entries.removeIf(e -> e.net.get() == net);
        return value;
    }
}
