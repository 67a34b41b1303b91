package dev.cutover.sample;

import dev.cutover.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SampleEndpointsTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static SampleServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        server = SampleServer.start(SampleOptions.of(0, "v7"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void rootAnswersTheVersionInBodyAndXVersion() throws Exception {
        final HttpResponse<String> response = get("/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("v7\n");
        assertThat(response.headers().firstValue("x-version")).hasValue("v7");
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    }

    @Test
    void healthIsOkWhenHealthy() throws Exception {
        final HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok\n");
        assertThat(response.headers().firstValue("x-version")).hasValue("v7");
    }

    @Test
    void healthIs503ForeverWhenNeverHealthy() throws Exception {
        try (SampleServer broken = SampleServer.start(SampleOptions.of(0, "v8").withNeverHealthy(true))) {
            for (int i = 0; i < 3; i++) {
                final HttpResponse<String> response = get(broken, "/health");
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.headers().firstValue("x-version")).hasValue("v8");
            }
            assertThat(get(broken, "/").statusCode()).as("only health is broken").isEqualTo(200);
        }
    }

    @Test
    void slowAnswersLikeRootAfterAtLeastTheDelay() throws Exception {
        final long start = System.nanoTime();
        final HttpResponse<String> response = get("/slow?ms=300");
        final long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("v7\n");
        assertThat(elapsedMs).isGreaterThanOrEqualTo(300);
    }

    @Test
    void slowRequestsOnSeparateConnectionsWaitSideBySide() throws Exception {
        // Ten 400 ms waits on a two-thread event loop: only a scheduler, not sleeping threads, finishes them together.
        final long start = System.nanoTime();
        final var responses = java.util.stream.IntStream.range(0, 10)
                .mapToObj(i -> HTTP.sendAsync(request("/slow?ms=400"), HttpResponse.BodyHandlers.ofString()))
                .toList();
        for (var response : responses) {
            assertThat(response.get().statusCode()).isEqualTo(200);
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(400L, 2_000L);
    }

    @Test
    void headOnRootSendsTheHeadWithoutTheBody() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("HEAD / HTTP/1.1\r\nHost: sample\r\n\r\n");
            final RawHttp.Response head = connection.readResponse(true);
            // If HEAD had sent a body, these bytes would be read as the next status line and fail.
            connection.send("GET / HTTP/1.1\r\nHost: sample\r\n\r\n");
            final RawHttp.Response get = connection.readResponse();

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("3");
            assertThat(head.header("x-version")).isEqualTo("v7");
            assertThat(get.bodyText()).isEqualTo("v7\n");
        }
    }

    @Test
    void statusAnswersTheAskedCodeWithAnEmptyBody() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            for (int code : List.of(200, 204, 304, 418, 503)) {
                connection.send("GET /status?code=" + code + " HTTP/1.1\r\nHost: sample\r\n\r\n");
                final RawHttp.Response response = connection.readResponse();

                assertThat(response.status()).isEqualTo(code);
                assertThat(response.body()).isEmpty();
                assertThat(response.header("x-version")).isEqualTo("v7");
                if (code == 204 || code == 304) {
                    assertThat(response.header("content-length")).as("no Content-Length on %d", code).isNull();
                } else {
                    assertThat(response.header("content-length")).isEqualTo("0");
                }
            }
        }
    }

    @Test
    void statusRefusesCodesOutsideTwoToFiveHundreds() throws Exception {
        assertThat(get("/status?code=101").statusCode()).isEqualTo(400);
        assertThat(get("/status?code=abc").statusCode()).isEqualTo(400);
    }

    @Test
    void unknownPathIs404WithTheVersion() throws Exception {
        final HttpResponse<String> response = get("/no/such/thing");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("x-version")).hasValue("v7");
    }

    @Test
    void wrongMethodIs405AndSaysWhichAreAllowed() throws Exception {
        final HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(uri("/")).DELETE().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    @Test
    void headersEchoesEveryRequestHeaderLowercasedWithAllItsValues() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("GET /headers HTTP/1.1\r\n"
                    + "Host: sample:80\r\n"
                    + "X-Forwarded-For: 10.0.0.1\r\n"
                    + "X-Forwarded-For: 10.0.0.2\r\n"
                    + "Via: 1.1 cutover\r\n"
                    + "X-Quote: say \"hi\" \\ bye\r\n"
                    + "\r\n");
            final RawHttp.Response response = connection.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("content-type")).isEqualTo("application/json");
            assertThat(response.bodyText()).isEqualTo("""
                    {"host":["sample:80"],"x-forwarded-for":["10.0.0.1","10.0.0.2"],"via":["1.1 cutover"],"x-quote":["say \\"hi\\" \\\\ bye"]}
                    """);
        }
    }

    @Test
    void keepAliveConnectionServesManyRequests() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            for (int i = 0; i < 20; i++) {
                connection.send("GET / HTTP/1.1\r\nHost: sample\r\n\r\n");
                final RawHttp.Response response = connection.readResponse();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.header("connection")).isNull();
            }
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstIsSlow() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("GET /slow?ms=200 HTTP/1.1\r\nHost: s\r\n\r\nGET /status?code=418 HTTP/1.1\r\nHost: s\r\n\r\nGET / HTTP/1.1\r\nHost: s\r\n\r\n");

            assertThat(connection.readResponse().bodyText()).isEqualTo("v7\n");
            assertThat(connection.readResponse().status()).isEqualTo(418);
            assertThat(connection.readResponse().bodyText()).isEqualTo("v7\n");
        }
    }

    @Test
    void connectionCloseRequestGetsItsAnswerThenTheConnectionCloses() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("GET / HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n");
            final RawHttp.Response response = connection.readResponse();

            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(connection.input().read()).as("end of stream: the server closed the connection").isEqualTo(-1);
        }
    }

    @Test
    void malformedRequestGets400AndTheConnectionCloses() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("GET / HTTP/1.1\r\nHost: s\r\nContent-Length: twelve\r\n\r\n");
            final RawHttp.Response response = connection.readResponse();

            assertThat(response.status()).isEqualTo(400);
            assertThat(connection.input().read()).as("end of stream: the server closed the connection").isEqualTo(-1);
        }
    }

    @Test
    void errorRatioOfOneHalfFailsExactlyHalfOfRootRequests() throws Exception {
        try (SampleServer flaky = SampleServer.start(SampleOptions.of(0, "v9").withErrorRatio(0.5))) {
            int errors = 0;
            for (int i = 0; i < 100; i++) {
                final HttpResponse<String> response = get(flaky, "/");
                if (response.statusCode() == 500) {
                    errors++;
                    assertThat(response.body()).isEqualTo("error\n");
                    assertThat(response.headers().firstValue("x-version")).hasValue("v9");
                } else {
                    assertThat(response.statusCode()).isEqualTo(200);
                }
            }
            assertThat(errors).isEqualTo(50);
            for (int i = 0; i < 5; i++) {
                assertThat(get(flaky, "/health").statusCode()).as("health stays up").isEqualTo(200);
            }
        }
    }

    @Test
    void errorRatioAlsoFailsSlowAndUpload() throws Exception {
        try (SampleServer failing = SampleServer.start(SampleOptions.of(0, "v9").withErrorRatio(1))) {
            assertThat(get(failing, "/slow?ms=1").statusCode()).isEqualTo(500);
            final HttpResponse<String> upload = HTTP.send(HttpRequest.newBuilder(uri(failing, "/upload"))
                    .POST(HttpRequest.BodyPublishers.ofString("payload")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(upload.statusCode()).isEqualTo(500);
            assertThat(upload.body()).isEqualTo("error\n");
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return get(server, path);
    }

    private static HttpResponse<String> get(SampleServer target, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(target, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(String path) {
        return HttpRequest.newBuilder(uri(path)).build();
    }

    private static URI uri(String path) {
        return uri(server, path);
    }

    private static URI uri(SampleServer target, String path) {
        return URI.create("http://127.0.0.1:" + target.port() + path);
    }
}
