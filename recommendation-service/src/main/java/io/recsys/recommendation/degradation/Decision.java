package io.recsys.recommendation.degradation;

import io.recsys.contracts.recommend.v1.DepthReason;
import io.recsys.contracts.recommend.v1.PredictionDepth;
import java.util.ArrayList;
import java.util.List;

/** The depth a request gets and why it is below FULL (reasons accumulate as stages step down). */
public record Decision(PredictionDepth depth, List<DepthReason> reasons, List<String> details) {

    public static Decision full() {
        return new Decision(PredictionDepth.PREDICTION_DEPTH_FULL, List.of(), List.of());
    }

    public static Decision of(PredictionDepth depth, DepthReason reason, String detail) {
        return new Decision(depth, List.of(reason), List.of(detail));
    }

    /**
     * This decision, at most {@code cap} deep (a deeper level number is less work), adding the reason when it lowers
     * it.
     */
    public Decision atMost(PredictionDepth cap, DepthReason reason, String detail) {
        return cap.getNumber() <= depth.getNumber() ? this : with(cap, reason, detail);
    }

    /** Something failed: at most {@code cap} deep, and the reason is recorded even when the level was lower already. */
    public Decision failed(PredictionDepth cap, DepthReason reason, String detail) {
        if (cap.getNumber() > depth.getNumber()) {
            return with(cap, reason, detail);
        }
        return details.contains(detail) ? this : with(depth, reason, detail);
    }

    private Decision with(PredictionDepth level, DepthReason reason, String detail) {
        List<DepthReason> moreReasons = new ArrayList<>(reasons);
        if (!moreReasons.contains(reason)) {
            moreReasons.add(reason);
        }
        List<String> moreDetails = new ArrayList<>(details);
        moreDetails.add(detail);
        return new Decision(level, List.copyOf(moreReasons), List.copyOf(moreDetails));
    }

    public boolean below(PredictionDepth level) {
        return depth.getNumber() > level.getNumber();
    }
}
