// ESLint flat config: typescript-eslint's type-aware rules on every TypeScript file, angular-eslint
// on the web app (code and templates), Prettier owns formatting (eslint-config-prettier turns the
// stylistic rules off so the two never disagree).
import js from '@eslint/js';
import angular from 'angular-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/', 'libs/client/dist/', 'coverage/', 'test-artifacts/', 'data/', '.angular/', 'bench/results/', '**/node_modules/'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Adapters implement async ports; the memory ones have nothing to await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The web app's specs need Jest's types, which only its spec tsconfig declares.
    files: ['apps/web/**/*.ts'],
    extends: [...angular.configs.tsRecommended],
    processor: angular.processInlineTemplates,
    languageOptions: {
      parserOptions: { projectService: false, project: ['apps/web/tsconfig.app.json', 'apps/web/tsconfig.spec.json'], tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['apps/web/src/**/*.html'],
    extends: [...angular.configs.templateRecommended, ...angular.configs.templateAccessibility],
  },
  {
    // Tests read JSON off real sockets and HTTP responses as `any` and check its shape with
    // assertions; typing every frame there adds casts, not safety. The rest of the type-aware
    // rules (floating promises, misused promises, ...) stay on.
    files: ['**/*.spec.ts', 'test/**/*.ts', 'apps/web/src/app/testing/**/*.ts', 'apps/session/src/engine/testing/**/*.ts', '**/*.contract.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // ws hands frames as RawData; tests stringify them as the text frames they are.
      '@typescript-eslint/no-base-to-string': 'off',
      // expect(mock.method).toHaveBeenCalled() names methods without calling them.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }] },
  },
  {
    files: ['**/*.cjs', 'jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  prettier,
);
