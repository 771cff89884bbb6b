/**
 * Questions and answers: the REST bodies of the QA service ({@link dev.vstream.api.question.QuestionRequest},
 * {@link dev.vstream.api.question.AnswerReport}) and the records of {@code vstream.questions} and
 * {@code vstream.answers} with their strict binary codecs.
 */
package dev.vstream.api.question;
