// ESLint here checks one thing: that the AppSync resolvers (schemas/resolvers/) stay valid
// APPSYNC_JS, with @aws-appsync/eslint-plugin's recommended rules. Those rules need type
// information, so the resolvers are parsed with @typescript-eslint/parser against a TypeScript
// project of their own (schemas/resolvers/tsconfig.json: loading the whole app's project takes
// ~50 s). test/unit/resolvers/appsync-lint.test.ts runs it in `npm test`.
import appsync from '@aws-appsync/eslint-plugin';

export default [
  {
    files: ['schemas/resolvers/**/*.js'],
    languageOptions: {
      parserOptions: {
        project: './schemas/resolvers/tsconfig.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  { ...appsync.configs.recommended, files: ['schemas/resolvers/**/*.js'] },
];
