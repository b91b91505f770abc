/* Material's search, made to answer a reader's sentence (issue 21).
 *
 * Material appends a wildcard to every word of a query, and Lunr runs no stemmer and no stop-word
 * filter on a wildcard word: "is" then matches "issues", "the" matches "theme", and "reproduce"
 * misses "reproducibility" (indexed as its stem, "reproduc"). This file rewrites the query the
 * page sends to Material's search worker: stop words go, every other word is searched by its stem
 * (a "^1" boost keeps Material from adding the wildcard), and the word being typed keeps its prefix
 * match. A query written in Lunr's own syntax (+word, -word, "phrase", field:word, word~1) is left
 * as it is. Loaded by the mlq-catalog plugin; nothing else on the page depends on it.
 */
(function () {
  "use strict";
  var QUERY = 2; // Material's SearchMessageType.QUERY (SETUP, READY, QUERY, RESULT)
  // Lunr's English stop words (lunr.stopWordFilter), so the index and the query agree.
  var STOP = new Set(("a able about across after all almost also am among an and any are as at be because been but " +
    "by can cannot could dear did do does either else ever every for from get got had has have he her hers him his " +
    "how however i if in into is it its just least let like likely may me might most must my neither no nor not of " +
    "off often on only or other our own rather said say says she should since so some than that the their them " +
    "then there these they this tis to too twas us wants was we were what when where which while who whom why will " +
    "with would yet you your").split(" "));
  var SYNTAX = /(^|\s)[+-]|["~^*:]/;

  function rewrite(query) {
    if (typeof query !== "string" || SYNTAX.test(query)) return query;
    var words = query.toLowerCase().split(/[\s-]+/).map(function (word) {
      return word.replace(/^[^\w]+|[^\w]+$/g, "").replace(/['’].*$/, "");
    }).filter(function (word) { return word.length > 0; });
    var kept = words.filter(function (word) { return !STOP.has(word); });
    if (kept.length === 0) return query;
    var terms = kept.map(function (word) { return word + "^1"; });
    // The last word may be half typed: its prefix matches too (Material adds the wildcard).
    if (!/\s$/.test(query)) terms.push(kept[kept.length - 1]);
    return terms.join(" ");
  }

  var post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message) {
    if (message && message.type === QUERY) {
      message = { type: QUERY, data: rewrite(message.data) };
    }
    return post.apply(this, [message].concat(Array.prototype.slice.call(arguments, 1)));
  };
})();
