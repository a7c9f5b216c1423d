/*
 * cahelper.js — call the 数字证书助手 (cahelper) local service from a web page. No framework needed.
 *
 *   <script src="cahelper.js"></script>
 *   const certs = await cahelper.getCertificates();          // [{id, unit, holder, issuer, notAfter, ...}]
 *   const token = await cahelper.authenticate(nonce, certs[0].id);  // web-eid:1.0 token: send to your server
 *   const signed = await cahelper.signPdf(blob, {fileName: "名册.pdf", placement: {mode: "anchor", anchor: "单位（盖章）"}});
 *   // CA renewal sites only (portal entries marked renewal = true):
 *   const req = await cahelper.renewalCsr({certificateId: certs[0].id});   // {csr (base64 PKCS#10), keyId, ...}
 *   const done = await cahelper.renewalInstall({certificate: issuedB64, chain: [caB64], certificateId: req.certificateId});
 *
 * The nonce must come from your server (base64 of >= 32 random bytes, single use); verify the token on
 * the server (helper/login/verify.py does it in Python). The user confirms every use of the key and types
 * the PIN in the helper's own window: the PIN never passes through the page.
 *
 * Errors are thrown as CahelperError with .code, .message, .explanation, .remedy (the helper's
 * 提示/说明/解决方案). When the helper is not running the code is HELPER_NOT_RUNNING ("请先启动数字证书助手").
 *
 * Chrome Local Network Access: since Chrome 142 a public https site that fetches http://127.0.0.1 makes
 * Chrome ask the user once "允许此网站访问您本地网络上的其他应用和设备？" (Allow / Block). The user must
 * click Allow; if they blocked it, fetch fails like a stopped helper — tell them to allow it in the
 * site settings (the icon left of the address bar → 本地网络访问 / Local network access). Administrators
 * can pre-allow portals with the LocalNetworkAccessAllowedForUrls policy. Older Chrome versions send a
 * Private Network Access preflight, which the helper answers (Access-Control-Allow-Private-Network).
 * Loopback pages (the demo portal on 127.0.0.1) are not affected.
 */
(function (global) {
  "use strict";

  var DEFAULT_URL = "http://127.0.0.1:28960";

  function CahelperError(code, message, explanation, remedy) {
    var error = new Error(message);
    error.name = "CahelperError";
    error.code = code;
    error.explanation = explanation || "";
    error.remedy = remedy || [];
    return error;
  }

  function notRunning() {
    return CahelperError(
      "HELPER_NOT_RUNNING",
      "请先启动数字证书助手",
      "网页无法连接本机的数字证书助手（" + cahelper.url + "）。可能助手没有运行，或浏览器阻止了访问本地网络。",
      ["打开数字证书助手程序（桌面或开始菜单中的“数字证书助手”），再刷新本页面。",
       "如果浏览器询问是否允许访问本地网络，请点“允许”。"]);
  }

  function call(method, path, body, timeoutMs) {
    var options = {method: method, headers: {}, credentials: "omit", cache: "no-store"};
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = null;
    if (controller && timeoutMs) {
      options.signal = controller.signal;
      timer = setTimeout(function () { controller.abort(); }, timeoutMs);
    }
    return fetch(cahelper.url + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          throw CahelperError(data.code || "HTTP_" + response.status, data.message || ("HTTP " + response.status),
                              data.explanation, data.remedy);
        }
        return data;
      });
    }, function () {
      throw notRunning();
    }).finally(function () {
      if (timer) { clearTimeout(timer); }
    });
  }

  function toBase64(blob) {
    return blob.arrayBuffer().then(function (buffer) {
      var bytes = new Uint8Array(buffer);
      var chunks = [];
      for (var i = 0; i < bytes.length; i += 0x8000) {
        chunks.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)));
      }
      return btoa(chunks.join(""));
    });
  }

  function fromBase64(text) {
    var raw = atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return new Blob([bytes], {type: "application/pdf"});
  }

  // Waiting for the user (dialog, PIN) can take a while; the helper itself gives up after its own timeout.
  var USER_TIMEOUT_MS = 180000;

  var cahelper = {
    url: (global.document && document.querySelector('meta[name="cahelper-url"]')
          ? document.querySelector('meta[name="cahelper-url"]').content : DEFAULT_URL),

    /** {version, api, keyPresent}; throws HELPER_NOT_RUNNING when the helper is not there. */
    status: function () { return call("GET", "/v1/status", undefined, 5000); },

    /** Signing certificates on the inserted keys; the first call from a site asks the user once. */
    getCertificates: function () {
      return call("POST", "/v1/certificates", {}, USER_TIMEOUT_MS).then(function (d) { return d.certificates; });
    },

    /** A web-eid:1.0 token for this page's origin and the server's nonce. */
    authenticate: function (nonce, certificateId) {
      var body = {nonce: nonce};
      if (certificateId) { body.certificateId = certificateId; }
      return call("POST", "/v1/auth", body, USER_TIMEOUT_MS);
    },

    /** E-seal a PDF (Blob); resolves to {blob, fileName, page, sha256, unit}. */
    signPdf: function (blob, options) {
      options = options || {};
      return toBase64(blob).then(function (pdf) {
        var body = {pdf: pdf, fileName: options.fileName || "document.pdf"};
        if (options.placement) { body.placement = options.placement; }
        if (options.reason) { body.reason = options.reason; }
        return call("POST", "/v1/sign-pdf", body, USER_TIMEOUT_MS);
      }).then(function (d) {
        return {blob: fromBase64(d.pdf), base64: d.pdf, fileName: d.fileName, page: d.page, sha256: d.sha256,
                unit: d.unit};
      });
    },

    /** CA renewal sites: a PKCS#10 request for the certificate (options: certificateId, newKey, keyType "rsa"|"ec"). */
    renewalCsr: function (options) {
      options = options || {};
      var body = {};
      if (options.certificateId) { body.certificateId = options.certificateId; }
      if (options.newKey) { body.newKey = true; }
      if (options.keyType) { body.keyType = options.keyType; }
      return call("POST", "/v1/renewal/csr", body, USER_TIMEOUT_MS);
    },

    /** CA renewal sites: install the issued certificate ({certificate, chain, certificateId}, base64 DER). */
    renewalInstall: function (certs) {
      var body = {certificate: certs.certificate, chain: certs.chain || []};
      if (certs.certificateId) { body.certificateId = certs.certificateId; }
      return call("POST", "/v1/renewal/install", body, USER_TIMEOUT_MS);
    },

    CahelperError: CahelperError
  };

  global.cahelper = cahelper;
})(typeof window !== "undefined" ? window : this);
