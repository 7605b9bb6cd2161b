package io.recsys.localstack;

/**
 * The demo {@code ./recsys start} prints: a new shopper asks, buys the first item she was shown, asks again. Stated
 * once here, for the welcome text and for the end-to-end test that runs it as printed.
 */
public final class WelcomeDemo {

    public static final String NEW_SHOPPER = "shopper-1";

    private WelcomeDemo() {}

    /** The recommendations request of the demo, against the gateway's base URL. */
    public static String recommendations(String gateway) {
        return gateway + "/api/v1/users/" + NEW_SHOPPER + "/recommendations?limit=5";
    }

    /** The events she sends: a click on the item, then its purchase. */
    public static String purchaseOf(String itemId) {
        return "[\n"
                + "    {\"event_id\":\"ev-1\",\"user_id\":\"" + NEW_SHOPPER + "\",\"item_id\":\"" + itemId
                + "\",\"type\":\"click\"},\n"
                + "    {\"event_id\":\"ev-2\",\"user_id\":\"" + NEW_SHOPPER + "\",\"item_id\":\"" + itemId
                + "\",\"type\":\"purchase\",\"quantity\":1}]";
    }
}
