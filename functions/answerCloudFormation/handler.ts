import { makeHandler } from '#lib/handler.js';
import { catalogDeps } from '#lib/catalog/deps.js';
import { answerCloudFormation, type AnswerInput } from '#lib/catalog/outcome.js';

export const handler = makeHandler('answerCloudFormation', (input: AnswerInput) =>
  answerCloudFormation(input, catalogDeps()),
);
