import { makeHandler } from '#lib/handler.js';
import { catalogDeps } from '#lib/catalog/deps.js';
import type { AnswerCloudFormationInput } from '#lib/contracts.js';
import { answerCloudFormation } from '#lib/steps/catalog.js';

export const handler = makeHandler('answerCloudFormation', (input: AnswerCloudFormationInput) =>
  answerCloudFormation(input, catalogDeps()),
);
