"""Reference implementation (numpy, float64 math, float32 state) of the vstream memories.

Written from the papers, independently of the Java code in services/memory (dev.vstream.memory.{star,flash,
cluster}); the Java golden tests replay the outputs of make_goldens.py. Only the things two implementations
must share to agree bit for bit are shared by specification, not by code:

* SplitMix64 and the per-update seed  seed XOR (update * 0xD1B54A32D192ED03)  (mod 2**64);
* weighted k-means++ initialisation: first centre drawn with probability w_i, further ones w_i * D_i^2, by a
  sequential cumulative sum compared with u * total (u the next uniform double); if every remaining mass is 0
  the lowest-index unchosen point; a point once chosen is not drawn again;
* Lloyd passes: assign (ties -> lowest cluster), fill each empty cluster (in index order) with the point
  farthest from its own centroid among clusters of >= 2 members (ties -> lowest point), stop when the
  assignment repeats (from the second pass) or after max_iter passes; centroids are weighted means rounded to
  float32 after each update, a one-member cluster's centroid is its member;
* clusters are returned ordered by weighted mean member time (ties -> cluster index);
* retrieval (nearest buffered frame to a centroid): frames in age order, the oldest first, a newer one replaces
  the best only if its distance is below best * (1 - TIE_MARGIN), TIE_MARGIN = 1e-6 (the centroid of two
  equally weighted frames is equidistant from both; float32 rounding must not pick one); the heaviest
  clusters are taken by weight, ties -> earlier cluster; duplicates are kept.

Algorithms:
  STAR memory, Flash-VStream 2024 (arXiv 2406.08085), sections 3.2-3.4 and Algorithms 1-3:
    spatial (newest N_spa frames at P_spa), temporal (streaming weighted K-means to N_tem centroids of P_tem,
    cluster weights carried), abstract (semantic attention momentum update, alpha), retrieved (buffered frames
    nearest to the N_ret heaviest centroids), buffer of the newest N_buff frames.
    Token layout [abstract][temporal][retrieved][spatial].
  Flash Memory, Flash-VStream 2025 (arXiv 2506.23825): context synopsis memory (weighted K-means of pooled
    inputs, time-ordered) and detail augmentation memory (full-resolution inputs nearest to the heaviest
    synopsis centroids, heaviest first). Token layout [detail][synopsis].

Unlike the Java code (fixed-size rings), this reference keeps every frame in a Python list and slices the
newest N_buff, so the bounding itself is checked against an independent formulation.
"""
import numpy as np

MASK = (1 << 64) - 1

# Slot kinds, numbered as the Java enums' ordinals.
ABSTRACT, TEMPORAL, RETRIEVED, SPATIAL = 0, 1, 2, 3
DETAIL, SYNOPSIS = 0, 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    @staticmethod
    def for_update(seed, update):
        return SplitMix64((seed & MASK) ^ ((update * 0xD1B54A32D192ED03) & MASK))

    def next_long(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def next_double(self):
        return (self.next_long() >> 11) * (2.0 ** -53)


def avg_pool(x, out_h, out_w):
    """(H, W, C) float32 -> (out_h, out_w, C) float32, mean over equal blocks."""
    h, w, c = x.shape
    assert h % out_h == 0 and w % out_w == 0
    blocks = x.astype(np.float64).reshape(out_h, h // out_h, out_w, w // out_w, c)
    return blocks.mean(axis=(1, 3)).astype(np.float32)


def _sq_dist(points, centre):
    diff = points.astype(np.float64) - centre.astype(np.float64)
    return (diff * diff).sum(axis=1)


def _draw(mass, chosen, rng):
    total = 0.0
    for i in range(len(mass)):
        if not chosen[i]:
            total += mass[i]
    u = rng.next_double()
    pick = -1
    if total > 0:
        threshold = u * total
        cumulative = 0.0
        for i in range(len(mass)):
            if chosen[i]:
                continue
            cumulative += mass[i]
            if mass[i] > 0:
                pick = i
                if cumulative > threshold:
                    break
    if pick < 0:
        pick = int(np.flatnonzero(~chosen)[0])
    chosen[pick] = True
    return pick


def weighted_kmeans(points, weights, times, k, max_iter, rng):
    """Returns (centroids f32 (k, d), weights (k), times (k), labels (n)), clusters in time order."""
    n, _ = points.shape
    assert k <= n
    points = points.astype(np.float32)
    weights = np.asarray(weights, dtype=np.float64)
    times = np.asarray(times, dtype=np.float64)
    chosen = np.zeros(n, dtype=bool)
    centroids = np.zeros((k, points.shape[1]), dtype=np.float32)
    first = _draw(weights, chosen, rng)
    centroids[0] = points[first]
    d2 = _sq_dist(points, centroids[0])
    for j in range(1, k):
        nxt = _draw(weights * d2, chosen, rng)
        centroids[j] = points[nxt]
        d2 = np.minimum(d2, _sq_dist(points, centroids[j]))

    previous = None
    labels = None
    for it in range(max_iter):
        dist = np.stack([_sq_dist(points, centroids[j]) for j in range(k)], axis=1)  # (n, k)
        labels = np.argmin(dist, axis=1)  # first minimum: lowest cluster on ties
        own = dist[np.arange(n), labels].copy()
        counts = np.bincount(labels, minlength=k)
        for j in range(k):
            if counts[j] > 0:
                continue
            candidates = [i for i in range(n) if counts[labels[i]] >= 2]
            far = max(candidates, key=lambda i: (own[i], -i))
            counts[labels[far]] -= 1
            labels[far] = j
            counts[j] = 1
            own[far] = 0.0
            centroids[j] = points[far]
        if it > 0 and np.array_equal(labels, previous):
            break
        for j in range(k):
            member = labels == j
            if member.sum() == 1:  # a one-member cluster's centroid is its member
                centroids[j] = points[member][0]
                continue
            w = weights[member]
            centroids[j] = ((w[:, None] * points[member].astype(np.float64)).sum(axis=0) / w.sum()).astype(
                np.float32)
        previous = labels.copy()

    cw = np.array([weights[labels == j].sum() for j in range(k)])
    ct = np.array([(weights[labels == j] * times[labels == j]).sum() for j in range(k)]) / cw
    order = sorted(range(k), key=lambda j: (ct[j], j))
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    return centroids[order].copy(), cw[order], ct[order], rank[labels]


class StreamingKMeans:
    """N weighted centroids; append until full, then K-means over [centroids (their weights), new (1)]."""

    def __init__(self, slots, max_iter, seed):
        self.slots, self.max_iter, self.seed = slots, max_iter, seed
        self.centroids = []  # list of flat float32 vectors
        self.weights = []
        self.times = []
        self.updates = 0
        self.last_labels = None

    def update(self, vector, time):
        update = self.updates
        self.updates += 1
        if len(self.centroids) < self.slots:
            self.centroids.append(vector.astype(np.float32).ravel())
            self.weights.append(1.0)
            self.times.append(float(time))
            self.last_labels = None
            return
        pts = np.stack(self.centroids + [vector.astype(np.float32).ravel()])
        w = np.array(self.weights + [1.0])
        t = np.array(self.times + [float(time)])
        c, cw, ct, labels = weighted_kmeans(pts, w, t, self.slots, self.max_iter,
                                            SplitMix64.for_update(self.seed, update))
        self.centroids = [row for row in c]
        self.weights = list(cw)
        self.times = list(ct)
        self.last_labels = labels

    def heaviest(self, n):
        order = sorted(range(len(self.weights)), key=lambda j: (-self.weights[j], j))
        return order[:n]


TIE_MARGIN = 1e-6


def nearest(keys, query):
    """Index of the key row nearest to query. The oldest wins ties; a later row must be nearer by a relative
    TIE_MARGIN (a centroid of two equally weighted frames is equidistant from both; rounding must not decide)."""
    d = _sq_dist(keys, query.ravel())
    best = 0
    for i in range(1, len(d)):
        if d[i] < d[best] * (1 - TIE_MARGIN):
            best = i
    return best


def round_time(t):
    return int(np.floor(t + 0.5))


class StarMemory:
    def __init__(self, cfg, wq, bq, wk, bk):
        self.cfg = cfg
        self.wq, self.bq = wq.astype(np.float64), bq.astype(np.float64)
        self.wk, self.bk = wk.astype(np.float64), bk.astype(np.float64)
        self.frames_spa, self.frames_tem, self.frame_times = [], [], []
        self.temporal = StreamingKMeans(cfg["temporalSlots"], cfg["kmeansIterations"], cfg["seed"])
        self.abstract = None  # (tokens, C) float32
        self.abstract_times = None
        self.abstract_frames = 0
        self.pending, self.pending_times = [], []

    def update(self, features, time):
        c = self.cfg
        spa = avg_pool(features, c["spatialPool"], c["spatialPool"])
        tem = avg_pool(spa, c["temporalPool"], c["temporalPool"])
        ab = avg_pool(spa, c["abstractPool"], c["abstractPool"]).reshape(-1, features.shape[2])
        self.frames_spa.append(spa)
        self.frames_tem.append(tem)
        self.frame_times.append(time)
        self.temporal.update(tem, time)
        self._update_abstract(ab, time)

    def _update_abstract(self, tokens, time):
        c = self.cfg
        if self.abstract_frames < c["abstractSlots"]:
            rows = np.full(len(tokens), float(time))
            self.abstract = tokens.copy() if self.abstract is None else np.concatenate([self.abstract, tokens])
            self.abstract_times = rows if self.abstract_times is None else np.concatenate([self.abstract_times, rows])
            self.abstract_frames += 1
            return
        self.pending.append(tokens)
        self.pending_times.extend([float(time)] * len(tokens))
        if len(self.pending) < c["abstractChunkFrames"]:
            return
        e = np.concatenate(self.pending).astype(np.float64)
        te = np.array(self.pending_times)
        m = self.abstract.astype(np.float64)
        q = m @ self.wq.T + self.bq
        k = e @ self.wk.T + self.bk
        s = q @ k.T / np.sqrt(c["attentionDim"])
        s = np.exp(s - s.max(axis=1, keepdims=True))
        w = c["abstractUpdateRatio"] * s / s.sum(axis=1, keepdims=True)
        alpha = c["abstractUpdateRatio"]
        self.abstract = ((1 - alpha) * m + w @ e).astype(np.float32)
        self.abstract_times = (1 - alpha) * self.abstract_times + w @ te
        self.pending, self.pending_times = [], []

    def retrieved(self):
        """Stream indices of the retrieved frames, heaviest cluster first."""
        c = self.cfg
        nb = c["bufferFrames"]
        first = max(0, len(self.frames_tem) - nb)
        keys = np.stack([f.ravel() for f in self.frames_tem[first:]])
        out = []
        for j in self.temporal.heaviest(c["retrievedFrames"]):
            out.append(first + nearest(keys, self.temporal.centroids[j]))
        return out

    def read(self):
        """(tokens (n, C) float32, kinds, slots, times) in layout [abstract][temporal][retrieved][spatial]."""
        c = self.cfg
        ch = self.frames_spa[0].shape[2]
        toks, kinds, slots, times = [], [], [], []
        per_abs = c["abstractPool"] ** 2
        for i in range(len(self.abstract)):
            toks.append(self.abstract[i:i + 1])
            kinds.append(ABSTRACT)
            slots.append(i // per_abs)
            times.append(round_time(self.abstract_times[i]))
        per_tem = c["temporalPool"] ** 2
        for j, cen in enumerate(self.temporal.centroids):
            toks.append(cen.reshape(per_tem, ch))
            kinds += [TEMPORAL] * per_tem
            slots += [j] * per_tem
            times += [round_time(self.temporal.times[j])] * per_tem
        per_spa = c["spatialPool"] ** 2
        for r, idx in enumerate(self.retrieved()):
            toks.append(self.frames_spa[idx].reshape(per_spa, ch))
            kinds += [RETRIEVED] * per_spa
            slots += [r] * per_spa
            times += [self.frame_times[idx]] * per_spa
        newest = self.frames_spa[-c["spatialFrames"]:]
        newest_t = self.frame_times[-c["spatialFrames"]:]
        for j, (f, t) in enumerate(zip(newest, newest_t)):
            toks.append(f.reshape(per_spa, ch))
            kinds += [SPATIAL] * per_spa
            slots += [j] * per_spa
            times += [t] * per_spa
        return np.concatenate(toks), np.array(kinds), np.array(slots), np.array(times, dtype=np.int64)

    def max_tokens(self):
        c = self.cfg
        return (c["abstractSlots"] * c["abstractPool"] ** 2 + c["temporalSlots"] * c["temporalPool"] ** 2
                + (c["retrievedFrames"] + c["spatialFrames"]) * c["spatialPool"] ** 2)


class FlashMemory:
    def __init__(self, cfg):
        self.cfg = cfg
        self.full, self.low, self.frame_times = [], [], []
        self.synopsis = StreamingKMeans(cfg["synopsisSlots"], cfg["kmeansIterations"], cfg["seed"])

    def update(self, features, time):
        c = self.cfg
        h, w, _ = features.shape
        low = avg_pool(features, h // c["poolSize"], w // c["poolSize"])
        self.full.append(features.astype(np.float32))
        self.low.append(low)
        self.frame_times.append(time)
        self.synopsis.update(low, time)

    def detail(self):
        c = self.cfg
        first = max(0, len(self.low) - c["bankFrames"])
        keys = np.stack([f.ravel() for f in self.low[first:]])
        return [first + nearest(keys, self.synopsis.centroids[j]) for j in self.synopsis.heaviest(c["detailSlots"])]

    def read(self):
        c = self.cfg
        h, w, ch = self.full[0].shape
        toks, kinds, slots, times = [], [], [], []
        for r, idx in enumerate(self.detail()):
            toks.append(self.full[idx].reshape(h * w, ch))
            kinds += [DETAIL] * (h * w)
            slots += [r] * (h * w)
            times += [self.frame_times[idx]] * (h * w)
        per = (h // c["poolSize"]) * (w // c["poolSize"])
        for j, cen in enumerate(self.synopsis.centroids):
            toks.append(cen.reshape(per, ch))
            kinds += [SYNOPSIS] * per
            slots += [j] * per
            times += [round_time(self.synopsis.times[j])] * per
        return np.concatenate(toks), np.array(kinds), np.array(slots), np.array(times, dtype=np.int64)

    def max_tokens(self):
        c = self.cfg
        h, w = c["inputHeight"], c["inputWidth"]
        return c["detailSlots"] * h * w + c["synopsisSlots"] * (h // c["poolSize"]) * (w // c["poolSize"])
