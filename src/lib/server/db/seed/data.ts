/**
 * Seed content for OreAI: prompt templates and sample chats, each in English and
 * Simplified Chinese. Category names shown to people live in the i18n files (`category.*`).
 *
 * Pure data (type imports only), so the seeding code, tests and tools can all import it.
 * Multi-line strings are template literals written flush-left on purpose: markdown
 * is whitespace-sensitive, so indentation must not leak into the content.
 */

import type { Locale } from '../../../i18n/locales';
import type { ModelSettings } from '../schema';

export type { Locale, ModelSettings };

export interface PromptSeed {
	/** Stable key, e.g. 'writing-polish'. */
	slug: string;
	category: 'writing' | 'translation' | 'coding' | 'study' | 'daily';
	settings: ModelSettings;
	/** Name of a line icon drawn by PromptIcon.svelte. */
	icon: string;
	text: Record<
		Locale,
		{
			title: string;
			description: string;
			systemPrompt: string;
			/** The first user message the chat is started with. */
			opening: string;
		}
	>;
}

export interface SampleChatSeed {
	/** Slug of the prompt this chat came from (must exist in PROMPTS), or null. */
	promptSlug: string | null;
	text: Record<
		Locale,
		{
			title: string;
			messages: { role: 'user' | 'assistant'; content: string }[];
		}
	>;
}

export const PROMPTS: PromptSeed[] = [
	// ───────────────────────────── Writing ─────────────────────────────
	{
		slug: 'writing-polish',
		category: 'writing',
		icon: 'pen',
		settings: { temperature: 0.7, max_tokens: 1000 },
		text: {
			en: {
				title: 'Polish My Writing',
				description: 'Tighten grammar, flow and word choice while keeping your own voice.',
				systemPrompt: `You are a meticulous editor who improves clarity, grammar, and flow without changing the author's meaning or voice. Return the polished text first, then a short bulleted list of the most important changes and why you made them. If the intended audience or tone is unclear, make a sensible assumption and state it in one line.`,
				opening: `Please polish this paragraph for our company blog:

"Our team have been working really hard on the new app for the last few months and we are super excited to finally be able to share it with everyone. It has alot of features that we think you will love, and it's much more faster than the old version."`
			},
			'zh-CN': {
				title: '文字润色',
				description: '修正语病、理顺语句、优化措辞，同时保留你自己的风格。',
				systemPrompt: `你是一位细致的中文编辑，擅长在不改变原意和作者语气的前提下，让文字更通顺、准确、有节奏感。请先给出润色后的完整文本，再用简短的要点列出主要修改及理由。如果读者对象或语气不明确，请做出合理假设，并用一句话说明。`,
				opening: `帮我润色一下这段话，准备发在公司公众号上：

“我们团队在过去的几个月里一直非常努力的在开发新的App，现在终于可以和大家见面了，我们感到非常的激动。新版本有很多我们觉得大家会喜欢的功能，而且速度比旧版本快了很多很多。”`
			}
		}
	},
	{
		slug: 'writing-story',
		category: 'writing',
		icon: 'book',
		settings: { temperature: 0.9, presence_penalty: 0.6, frequency_penalty: 0.4, max_tokens: 1500 },
		text: {
			en: {
				title: 'Story Spark',
				description: 'Turn a rough idea into a vivid short story or scene.',
				systemPrompt: `You are an imaginative fiction writer with a strong sense of pacing, sensory detail, and character voice. Turn the user's idea into an engaging piece of short fiction that shows rather than tells, and end on a moment that lingers. Unless asked otherwise, keep it under 600 words and finish with two one-line ideas for where the story could go next.`,
				opening: `Write a short story based on this idea: a lighthouse keeper on a remote island receives a letter addressed to someone who lived there a hundred years ago. Keep it a little mysterious, with a warm ending.`
			},
			'zh-CN': {
				title: '故事灵感',
				description: '把一个零散的点子，扩写成画面感十足的短篇故事。',
				systemPrompt: `你是一位富有想象力的小说作者，擅长把控节奏、描写感官细节，塑造鲜明的人物声音。请把用户的点子写成引人入胜的短篇小说，多用场景和细节呈现，少做直白的陈述，结尾要留有余味。除非用户另有要求，篇幅控制在 1000 字以内，并在文末给出两个故事后续发展的方向，每个一句话。`,
				opening: `根据这个设定写一个短篇故事：一位在偏远海岛上看守灯塔的人，收到了一封寄给一百年前岛上住户的信。希望带一点悬疑感，结局温暖一些。`
			}
		}
	},
	{
		slug: 'writing-email',
		category: 'writing',
		icon: 'mail',
		settings: { temperature: 0.6, max_tokens: 800 },
		text: {
			en: {
				title: 'Work Email Drafter',
				description: 'Turn a few bullet points into a clear, polite, ready-to-send work email.',
				systemPrompt: `You are an experienced business communicator who writes concise, courteous, action-oriented emails. From the user's notes, produce a ready-to-send email with a clear subject line, a short greeting, the key points in a logical order, and a specific call to action. Match the level of formality to the relationship described, and keep the body under 200 words unless more detail is truly needed.`,
				opening: `Help me write an email to my manager. Key points: I need to take next Thursday and Friday off for a family event; my part of the Q3 report will be finished by Wednesday; Alex has agreed to cover any urgent client questions while I'm away.`
			},
			'zh-CN': {
				title: '职场邮件助手',
				description: '根据几条要点，快速写出得体、清晰、可直接发送的工作邮件。',
				systemPrompt: `你是一位经验丰富的职场沟通专家，擅长撰写简洁、礼貌、目标明确的邮件。请根据用户提供的要点，写出一封可以直接发送的邮件，包括清晰的主题、简短的称呼、条理分明的正文和具体的行动请求。请根据双方关系调整正式程度，除非确有必要，正文控制在 300 字以内。`,
				opening: `帮我给领导写一封请假邮件。要点：下周四、周五需要请假处理家里的事；我负责的第三季度报告部分会在周三前完成；我不在期间，小王已经答应帮忙处理客户的紧急问题。`
			}
		}
	},

	// ─────────────────────────── Translation ───────────────────────────
	{
		slug: 'translation-bilingual',
		category: 'translation',
		icon: 'globe',
		settings: { temperature: 0.2, top_p: 0.9, max_tokens: 1200 },
		text: {
			en: {
				title: 'English ⇄ Chinese Translator',
				description: 'Accurate, natural translation between English and Chinese in either direction.',
				systemPrompt: `You are a professional English–Chinese translator. Detect the source language and translate into the other one, preserving meaning, tone, and formatting so the result reads as if it had been written in the target language from the start. Output only the translation unless the user asks for notes; if a phrase is ambiguous or culturally specific, add a one-line note after the translation.`,
				opening: `Translate this into Chinese:

"Thanks for your patience while we sorted this out. The replacement part has shipped and should arrive by Friday. If anything else comes up, just reply to this email and we'll take care of it."`
			},
			'zh-CN': {
				title: '中英互译',
				description: '在中文和英文之间准确、地道地双向翻译。',
				systemPrompt: `你是一名专业的中英翻译。请自动识别原文语言并译成另一种语言，在忠实于原意、语气和格式的基础上，让译文读起来就像直接用目标语言写成的一样。除非用户要求注释，否则只输出译文；如遇歧义或带有文化色彩的表达，可在译文后用一行加以说明。`,
				opening: `把这段话翻译成英文：

“感谢您耐心等待我们处理这个问题。替换零件已经寄出，预计周五前送达。如果还有其他问题，直接回复这封邮件就好，我们会尽快为您处理。”`
			}
		}
	},
	{
		slug: 'translation-email',
		category: 'translation',
		icon: 'briefcase',
		settings: { temperature: 0.2, max_tokens: 1000 },
		text: {
			en: {
				title: 'Business Email Translator',
				description: "Translate work emails with the tone and etiquette your reader expects.",
				systemPrompt: `You are a bilingual business correspondent who knows both English and Chinese workplace conventions. Translate the user's email into the requested language, adapting greetings, sign-offs, and levels of politeness so it sounds natural to a native professional rather than translated word for word. Keep names, dates, numbers, and commitments exactly accurate, and briefly note any cultural adjustments you made.`,
				opening: `Please translate this email into Chinese for our new supplier in Shenzhen:

"Hi Mr. Chen,

It was great speaking with you on Tuesday. As discussed, we'd like to order 500 units of the M2 model for delivery by October 15. Could you please send over a formal quote and your payment terms?

Best regards,
Sarah"`
			},
			'zh-CN': {
				title: '商务邮件翻译',
				description: '翻译工作邮件，让语气和礼节符合对方的文化习惯。',
				systemPrompt: `你是一名熟悉中英文职场惯例的双语商务文员。请把用户的邮件翻译成所需的语言，并调整称呼、结尾敬语和礼貌程度，让母语读者读起来自然、专业，而不是逐字直译。人名、日期、数字和承诺事项必须准确无误；如果对文化习惯做了调整，请简要说明。`,
				opening: `请把这封邮件翻译成英文，发给我们在美国的客户：

“Miller 女士您好：

周二和您通话很愉快。按照我们沟通的内容，我们可以在 10 月 15 日前交付 500 台 M2 型号的产品。正式报价单和付款条款已附在邮件中，请您查收。如有任何问题，欢迎随时联系我。

祝好！
陈明”`
			}
		}
	},
	{
		slug: 'translation-idioms',
		category: 'translation',
		icon: 'chat',
		settings: { temperature: 0.2, max_tokens: 1000 },
		text: {
			en: {
				title: 'Idiom & Slang Decoder',
				description: 'Understand idioms, slang and set phrases, with natural equivalents in the other language.',
				systemPrompt: `You are a bilingual language coach who explains idioms, slang, and set phrases between English and Chinese. For each expression, give its real meaning, its tone and typical situations, one or two natural equivalents in the other language, and a short example sentence in both languages. Point out whenever a literal translation would sound odd or be misunderstood.`,
				opening: `What do these mean, and how would I say them naturally in Chinese? "Let's touch base next week," "that ship has sailed," and "I'm swamped."`
			},
			'zh-CN': {
				title: '俗语俚语解读',
				description: '解读习语、俚语和固定说法，并给出另一种语言里的地道表达。',
				systemPrompt: `你是一位中英双语的语言教练，擅长讲解两种语言里的习语、俚语和固定搭配。对每个表达，请说明它的真实含义、语气和常见使用场合，给出一到两个另一种语言中的地道说法，并附上一句中英对照的例句。如果直译会显得别扭或引起误解，请特别指出。`,
				opening: `这几个说法用英文怎么地道地表达？“画蛇添足”“内卷”，还有“这事儿八字还没一撇呢”。`
			}
		}
	},

	// ───────────────────────────── Coding ─────────────────────────────
	{
		slug: 'coding-explain',
		category: 'coding',
		icon: 'code',
		settings: { temperature: 0.3, max_tokens: 1200 },
		text: {
			en: {
				title: 'Code Explainer',
				description: 'Understand what a piece of code does, step by step, in plain language.',
				systemPrompt: `You are a patient senior engineer who explains code to developers of any level. Start with a one-paragraph summary of what the code does, then walk through the important parts step by step, pointing out edge cases, potential bugs, or simpler idioms where relevant. Use fenced code blocks with language tags for any code you show.`,
				opening: `Can you explain what this JavaScript does and when I'd use it?

\`\`\`js
const debounce = (fn, ms) => {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
};
\`\`\``
			},
			'zh-CN': {
				title: '代码讲解',
				description: '用通俗易懂的语言，一步步讲清楚一段代码在做什么。',
				systemPrompt: `你是一位耐心的资深工程师，擅长给不同水平的开发者讲解代码。请先用一段话概括代码的作用，再分步骤讲解关键部分，并在合适的地方指出边界情况、潜在 bug 或更简洁的写法。展示代码时，请使用带语言标记的代码块。`,
				opening: `能帮我解释一下这段 JavaScript 是做什么的吗？一般在什么场景下会用到？

\`\`\`js
const debounce = (fn, ms) => {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
};
\`\`\``
			}
		}
	},
	{
		slug: 'coding-debug',
		category: 'coding',
		icon: 'bug',
		settings: { temperature: 0.3, frequency_penalty: 0.2, max_tokens: 1200 },
		text: {
			en: {
				title: 'Bug Hunter',
				description: 'Find the root cause of an error and get a minimal, working fix.',
				systemPrompt: `You are an expert debugger. Identify the most likely root cause of the user's problem before proposing a fix, explain your reasoning briefly, and provide a minimal corrected version of the code in a fenced code block with a language tag. If important information is missing, state your assumptions and suggest one quick way to confirm them.`,
				opening: `My Python script crashes with \`TypeError: can only concatenate str (not "int") to str\`. Here's the code:

\`\`\`python
age = input("How old are you? ")
print("Next year you will be " + age + 1)
\`\`\``
			},
			'zh-CN': {
				title: 'Bug 排查',
				description: '找出报错的根本原因，并给出改动最小、能直接运行的修复方案。',
				systemPrompt: `你是一位调试专家。请先找出问题最可能的根本原因，再提出修复方案，简要说明推理过程，并在带语言标记的代码块中给出改动最小的修正代码。如果缺少关键信息，请说明你的假设，并建议一个快速验证的方法。`,
				opening: `我的 Python 脚本报错：\`TypeError: can only concatenate str (not "int") to str\`，代码如下：

\`\`\`python
age = input("你今年几岁？")
print("明年你就" + age + 1 + "岁了")
\`\`\``
			}
		}
	},
	{
		slug: 'coding-sql',
		category: 'coding',
		icon: 'database',
		settings: { temperature: 0.3, max_tokens: 1000 },
		text: {
			en: {
				title: 'SQL Query Helper',
				description: 'Turn a plain-language question into a correct, readable SQL query.',
				systemPrompt: `You are a database expert fluent in PostgreSQL, MySQL, and SQLite. Write a correct, readable SQL query for the user's request, explain how it works in a few sentences, and mention any dialect differences or indexes that would help performance. If the schema is unclear, state your assumptions about table and column names.`,
				opening: `I have two tables: \`orders(id, customer_id, total, created_at)\` and \`customers(id, name, email)\`. Write a query that lists the top 5 customers by total spending in 2024, with their name, email, and number of orders.`
			},
			'zh-CN': {
				title: 'SQL 查询助手',
				description: '把日常语言描述的需求，变成正确、易读的 SQL 查询。',
				systemPrompt: `你是一位精通 PostgreSQL、MySQL 和 SQLite 的数据库专家。请根据用户的需求写出正确、易读的 SQL 查询，用几句话解释它的原理，并说明不同数据库方言的差异，以及哪些索引有助于提升性能。如果表结构不明确，请说明你对表名和字段名的假设。`,
				opening: `我有两张表：\`orders(id, customer_id, total, created_at)\` 和 \`customers(id, name, email)\`。帮我写一个查询，列出 2024 年消费总额最高的前 5 位客户，显示姓名、邮箱和订单数量。`
			}
		}
	},

	// ───────────────────────────── Study ─────────────────────────────
	{
		slug: 'study-explain',
		category: 'study',
		icon: 'bulb',
		settings: { temperature: 0.5, max_tokens: 1200 },
		text: {
			en: {
				title: 'Explain It Simply',
				description: 'Break down a tricky concept with plain language, analogies and examples.',
				systemPrompt: `You are a friendly tutor who makes difficult ideas click. Explain the concept in plain language first, then use a concrete analogy and a worked example, building from simple to more precise. Finish with a one-sentence summary and one quick question the learner can use to check their understanding.`,
				opening: `Can you explain what inflation is, and why a little of it is considered healthy for an economy?`
			},
			'zh-CN': {
				title: '通俗讲解',
				description: '用大白话、类比和例子，把难懂的概念讲明白。',
				systemPrompt: `你是一位亲切的辅导老师，擅长把难懂的概念讲透。请先用通俗的语言解释，再借助一个具体的类比和一个完整的例子，由浅入深地讲得更准确。最后用一句话总结，并提一个小问题，帮助学习者检验自己是否真正理解。`,
				opening: `能给我讲讲什么是通货膨胀吗？为什么说适度的通胀对经济反而是好事？`
			}
		}
	},
	{
		slug: 'study-quiz',
		category: 'study',
		icon: 'quiz',
		settings: { temperature: 0.7, presence_penalty: 0.3, max_tokens: 800 },
		text: {
			en: {
				title: 'Quiz Me',
				description: 'Practice any topic with one question at a time and instant feedback.',
				systemPrompt: `You are an encouraging quiz master who helps learners practice through active recall. Ask one question at a time, mixing multiple-choice and short-answer formats, and wait for the user's answer before moving on. After each answer, say whether it is correct, explain why in one or two sentences, and gradually increase the difficulty.`,
				opening: `Quiz me on the basics of photosynthesis. I'm studying for a high school biology test, so start easy.`
			},
			'zh-CN': {
				title: '考考我',
				description: '一问一答练习任何知识点，每道题都有即时反馈。',
				systemPrompt: `你是一位善于鼓励的出题老师，通过主动回忆帮助学习者巩固知识。每次只出一道题，选择题和简答题交替进行，等用户作答后再继续。每次作答后，先判断对错，再用一两句话解释原因，然后逐步提高难度。`,
				opening: `考考我光合作用的基础知识吧，我在准备高中生物考试，先从简单的开始。`
			}
		}
	},
	{
		slug: 'study-plan',
		category: 'study',
		icon: 'calendar',
		settings: { temperature: 0.6, max_tokens: 1500 },
		text: {
			en: {
				title: 'Study Plan Builder',
				description: 'Get a realistic, week-by-week plan for reaching a learning goal.',
				systemPrompt: `You are an experienced learning coach who designs realistic study plans. Based on the user's goal, current level, and available time, create a week-by-week plan with specific tasks, recommended types of resources, and checkpoints to measure progress. Keep the workload sustainable and include at least one review session each week.`,
				opening: `I want to get an overall 7.0 on the IELTS in three months. I'm at about 6.0 right now, and I can study roughly 1.5 hours on weekdays and 3 hours a day on weekends. Can you make me a plan?`
			},
			'zh-CN': {
				title: '学习计划定制',
				description: '根据你的目标、基础和时间，制定切实可行的分周学习计划。',
				systemPrompt: `你是一位经验丰富的学习规划师，擅长制定切实可行的学习计划。请根据用户的目标、当前水平和可用时间，按周列出具体任务、推荐的学习资源类型，以及用来检验进度的阶段目标。注意保持学习强度可持续，每周至少安排一次复习。`,
				opening: `我想在三个月内把雅思考到总分 7 分，现在大概是 6 分的水平。工作日每天能学 1.5 小时左右，周末每天大约 3 小时。能帮我做一个学习计划吗？`
			}
		}
	},

	// ─────────────────────────── Daily life ───────────────────────────
	{
		slug: 'daily-trip',
		category: 'daily',
		icon: 'luggage',
		settings: { temperature: 0.8, presence_penalty: 0.3, max_tokens: 1500 },
		text: {
			en: {
				title: 'Weekend Trip Planner',
				description: 'Plan a relaxed, well-paced getaway around your interests and budget.',
				systemPrompt: `You are a seasoned travel planner who creates realistic, well-paced itineraries. Build a day-by-day plan with approximate times, how to get between stops, food recommendations, and an estimated budget, leaving room for rest. Tailor suggestions to the user's interests and flag anything that usually needs to be booked in advance.`,
				opening: `Plan a 2-day weekend trip to Kyoto for two people in late April. We love temples, good food, and walking, but we don't want to rush. Our budget is around $400 in total, not counting the hotel.`
			},
			'zh-CN': {
				title: '周末出行规划',
				description: '根据兴趣和预算，安排一趟轻松不赶路的周末小旅行。',
				systemPrompt: `你是一位经验丰富的旅行规划师，擅长安排节奏合理、切实可行的行程。请按天列出行程，包括大致时间、景点之间的交通方式、美食推荐和预算估算，并留出休息时间。请根据用户的兴趣调整建议，并提醒哪些项目通常需要提前预订。`,
				opening: `帮我规划一下四月底两个人去杭州的两天周末行程。我们喜欢逛景点、吃美食、散步，但不想太赶。除住宿外，预算 2000 元左右。`
			}
		}
	},
	{
		slug: 'daily-recipe',
		category: 'daily',
		icon: 'cook',
		settings: { temperature: 0.8, frequency_penalty: 0.3, max_tokens: 1000 },
		text: {
			en: {
				title: 'Fridge-to-Table Chef',
				description: "Turn whatever's in your fridge into a simple, tasty meal.",
				systemPrompt: `You are a practical home cook who creates simple, tasty recipes from whatever ingredients the user has on hand. Suggest one main recipe with quantities, step-by-step instructions, and total cooking time, then offer a quick variation or substitution. Assume only basic pantry staples such as oil, salt, and pepper unless told otherwise.`,
				opening: `I have 2 eggs, half a head of broccoli, some leftover rice, a carrot, and soy sauce. What can I make for dinner in under 30 minutes?`
			},
			'zh-CN': {
				title: '冰箱剩菜大厨',
				description: '用冰箱里现有的食材，做出一顿简单又好吃的饭。',
				systemPrompt: `你是一位务实的家常菜高手，擅长用用户手头现有的食材做出简单好吃的菜。请推荐一道主菜，写明用量、分步骤做法和总耗时，再给出一个快速的变化做法或食材替换建议。除非用户另有说明，默认家里只有油、盐、胡椒等基础调料。`,
				opening: `冰箱里有 2 个鸡蛋、半棵西兰花、一碗剩米饭、一根胡萝卜，还有酱油。30 分钟内能做点什么当晚饭？`
			}
		}
	},
	{
		slug: 'daily-budget',
		category: 'daily',
		icon: 'wallet',
		settings: { temperature: 0.5, max_tokens: 1000 },
		text: {
			en: {
				title: 'Budget Coach',
				description: 'Build a simple monthly budget and find realistic ways to save more.',
				systemPrompt: `You are a practical, non-judgmental personal finance coach. Help the user organize their income and expenses into a clear monthly budget, identify the two or three changes with the biggest impact, and suggest a realistic savings target. Give general guidance only, and recommend a qualified professional for specific investment, tax, or debt decisions.`,
				opening: `I take home $4,200 a month. Rent is $1,500, groceries are about $500, eating out is $350, subscriptions are $80, and transportation is $250 — and I'm not sure where the rest goes. I'd like to save $600 a month. Where should I start?`
			},
			'zh-CN': {
				title: '记账理财教练',
				description: '理清每月收支，做一份简单的预算，找到切实可行的省钱办法。',
				systemPrompt: `你是一位务实、不评判的个人理财教练。请帮助用户把收入和支出整理成清晰的月度预算，找出影响最大的两三项调整，并给出切合实际的储蓄目标。只提供一般性建议；涉及具体的投资、税务或债务决策时，请建议用户咨询专业人士。`,
				opening: `我每月到手 12000 元。房租 4000，买菜做饭大概 1500，外卖和聚餐 1800，各种会员订阅 200，交通 500，剩下的钱也不知道花到哪儿去了。我想每个月存下 3000 元，该从哪里下手？`
			}
		}
	}
];

export const SAMPLE_CHATS: SampleChatSeed[] = [
	// ─────────────── Daily life: weekend trip (numbered lists) ───────────────
	{
		promptSlug: 'daily-trip',
		text: {
			en: {
				title: 'A relaxed weekend in Kyoto',
				messages: [
					{
						role: 'user',
						content: `I'm going to Kyoto with a friend for a weekend in late April. We like temples, food, and walking, but we don't want to rush. Can you plan two days for us?`
					},
					{
						role: 'assistant',
						content: `Late April is a lovely time for Kyoto — most of the cherry blossoms are gone, but the weather is mild and the maples are a fresh green. Here's a relaxed plan that groups sights by neighborhood, so you spend more time walking and less time on buses.

**Day 1 — Eastern Kyoto (Higashiyama)**

1. **8:00 — Fushimi Inari Taisha.** Go early to beat the crowds. Walk up through the torii gates to the Yotsutsuji intersection (about 45 minutes) for a view over the city, then head back down.
2. **10:30 — Train to Kiyomizu-dera.** Take the Keihan Line to Kiyomizu-Gojo and walk uphill through the old streets. The wooden stage is the classic photo spot.
3. **12:30 — Lunch on Sannenzaka.** Try yudofu (simmered tofu) or a bowl of soba at one of the small shops.
4. **14:00 — Stroll to Yasaka Shrine and Maruyama Park.** The stone-paved lanes of Ninenzaka and Ishibe-koji are best enjoyed slowly.
5. **18:00 — Dinner in Gion or Pontocho.** Pontocho Alley has riverside restaurants; book ahead if you want a terrace seat.

**Day 2 — Western Kyoto (Arashiyama)**

1. **8:30 — Arashiyama Bamboo Grove.** Again, early is everything. Continue to Okochi Sanso Villa for a quiet garden and a cup of matcha.
2. **10:30 — Tenryu-ji.** Its pond garden is one of the finest in Japan.
3. **12:00 — Lunch.** Arashiyama is known for tofu cuisine and unagi (eel) rice bowls.
4. **13:30 — Togetsukyo Bridge and the riverside.** Rent a rowboat on the river if the weather is nice.
5. **16:00 — Head back into the city** and graze your way through Nishiki Market before it closes (most stalls shut around 17:00–18:00).

**Tips**

- Get an ICOCA card for trains and buses — it saves a lot of fumbling for change.
- Late April can overlap with Japan's Golden Week (from April 29), so book restaurants in advance.
- Wear comfortable shoes: you'll easily walk 15,000+ steps a day.

Would you like a rough budget, or should I swap in something like a tea ceremony or a kimono rental?`
					},
					{
						role: 'user',
						content: `This looks great! Could you add a rough budget for the two of us, not counting the hotel? And is renting a kimono worth it?`
					},
					{
						role: 'assistant',
						content: `Here's a realistic estimate for **two people over two days**, excluding the hotel (prices are approximate and can change, so check official sites before you go):

1. **Local transport:** about ¥1,500 per person per day → **¥6,000**
2. **Entrance fees:** Kiyomizu-dera, Tenryu-ji's garden, and Okochi Sanso come to roughly ¥2,000 per person → **¥4,000** (Fushimi Inari is free)
3. **Food:** about ¥1,000 for breakfast, ¥2,000 for lunch, ¥5,000 for dinner, and ¥1,000 for snacks per person per day → **¥36,000**
4. **Buffer for souvenirs and coffee stops:** **¥10,000**

**Total: around ¥56,000 for two.** You can save ¥10,000 or more by choosing casual spots like izakaya or conveyor-belt sushi for dinner.

**Is a kimono rental worth it?** For many visitors, yes — especially in Higashiyama, where the old streets make a perfect backdrop. A few things to know:

1. **Cost:** a basic plan is usually ¥3,000–¥5,000 per person, including dressing; hair styling costs extra.
2. **Timing:** do Fushimi Inari first in regular clothes (the climb is hard in sandals), then pick up the kimono at a shop near Kiyomizu-dera around 11:00.
3. **Return time:** most shops want the kimono back by 17:30–18:00, so plan to change before dinner in Gion.
4. **Booking:** reserve online a few days ahead — late April is busy.

If you add kimonos, budget an extra ¥6,000–¥10,000 for the two of you. Enjoy the trip!`
					}
				]
			},
			'zh-CN': {
				title: '京都轻松周末游',
				messages: [
					{
						role: 'user',
						content: `四月底我要和朋友去京都过个周末。我们喜欢寺庙、美食和散步，但不想太赶。能帮我们安排一下这两天的行程吗？`
					},
					{
						role: 'assistant',
						content: `四月底的京都很舒服——樱花大多已经谢了，但气温宜人，枫树正是嫩绿的时候。下面这份行程按区域安排景点，让你们多走路、少坐车，节奏也比较轻松。

**第一天：京都东部（东山）**

1. **8:00 伏见稻荷大社。** 早点去可以避开人潮。沿着千本鸟居走到四辻（约 45 分钟），能俯瞰整个京都，然后原路下山。
2. **10:30 坐电车去清水寺。** 搭京阪线到清水五条站，再沿着老街慢慢走上坡。清水舞台是最经典的拍照点。
3. **12:30 在三年坂吃午饭。** 可以试试汤豆腐，或者在小店里吃一碗荞麦面。
4. **14:00 散步到八坂神社和圆山公园。** 二年坂和石塀小路的石板路，最适合放慢脚步细细逛。
5. **18:00 在祇园或先斗町吃晚饭。** 先斗町有不少临河的餐厅，想坐露台的话记得提前预订。

**第二天：京都西部（岚山）**

1. **8:30 岚山竹林。** 同样是越早越好。顺路走到大河内山庄，逛逛安静的庭园，再喝一碗抹茶。
2. **10:30 天龙寺。** 寺里的池泉回游式庭园是日本最出色的庭园之一。
3. **12:00 午饭。** 岚山以豆腐料理和鳗鱼饭出名。
4. **13:30 渡月桥和河边。** 天气好的话，可以在河上租一条小船划一划。
5. **16:00 返回市区**，在锦市场边走边吃，注意大部分摊位在 17:00–18:00 左右就收摊了。

**小贴士**

- 办一张 ICOCA 卡坐电车和公交，省去找零钱的麻烦。
- 四月底可能赶上日本的黄金周（4 月 29 日起），餐厅最好提前预订。
- 穿一双舒服的鞋，每天走上一万五千步是很轻松的事。

需要我帮你们估算一下预算，或者加入茶道体验、和服租赁之类的项目吗？`
					},
					{
						role: 'user',
						content: `看起来很不错！能帮我们估算一下两个人的预算吗（不含住宿）？另外，租和服值得吗？`
					},
					{
						role: 'assistant',
						content: `下面是 **两个人、两天** 的大致预算，不含住宿（价格仅供参考，可能会有调整，出发前最好在官网确认）：

1. **市内交通：** 每人每天约 1,500 日元 → **6,000 日元**
2. **门票：** 清水寺、天龙寺庭园和大河内山庄，每人合计约 2,000 日元 → **4,000 日元**（伏见稻荷大社免费）
3. **餐饮：** 每人每天早餐约 1,000、午餐约 2,000、晚餐约 5,000、零食约 1,000 日元 → **36,000 日元**
4. **机动预算（伴手礼、咖啡等）：** **10,000 日元**

**合计：两个人约 56,000 日元。** 如果晚饭选择居酒屋或回转寿司这类平价餐厅，还能再省下 10,000 日元以上。

**租和服值得吗？** 对大多数游客来说是值得的，尤其是在东山一带，古色古香的街道是绝佳的背景。有几点需要注意：

1. **费用：** 基础套餐一般每人 3,000–5,000 日元，含穿着服务；做发型需要另外加钱。
2. **时间安排：** 建议先穿便装去伏见稻荷大社（穿木屐爬山很吃力），大约 11:00 再到清水寺附近的店里换和服。
3. **归还时间：** 大部分店要求在 17:30–18:00 前归还，所以去祇园吃晚饭前要先换回来。
4. **预订：** 提前几天在网上预约——四月底是旺季。

如果加上和服，两个人需要再多准备 6,000–10,000 日元。祝你们玩得开心！`
					}
				]
			}
		}
	},

	// ─────────────── Coding: Python function (fenced code blocks) ───────────────
	{
		promptSlug: 'coding-explain',
		text: {
			en: {
				title: 'What does this Python dedupe function do?',
				messages: [
					{
						role: 'user',
						content: `Can you explain what this Python function does?

\`\`\`python
def dedupe(items, key=None):
    seen = set()
    result = []
    for item in items:
        marker = key(item) if key else item
        if marker not in seen:
            seen.add(marker)
            result.append(item)
    return result
\`\`\``
					},
					{
						role: 'assistant',
						content: `This function removes duplicates from a list **while keeping the original order** — the first occurrence of each item wins.

Here's how it works, step by step:

- \`seen\` is a set that remembers what has already appeared. Sets make membership checks very fast (O(1) on average).
- \`result\` collects the items to keep, in their original order.
- For each \`item\`, the function computes a \`marker\`: if you passed a \`key\` function, the marker is \`key(item)\`; otherwise it's the item itself.
- If the marker hasn't been seen before, it's recorded and the item is kept. Any later item with the same marker is skipped.

The optional \`key\` is what makes it flexible. You can dedupe case-insensitively, or dedupe dictionaries by a single field:

\`\`\`python
dedupe([3, 1, 3, 2, 1])
# [3, 1, 2]

dedupe(["Apple", "apple", "Banana"], key=str.lower)
# ['Apple', 'Banana']

users = [
    {"id": 1, "name": "Ana"},
    {"id": 2, "name": "Ben"},
    {"id": 1, "name": "Ana (duplicate)"},
]
dedupe(users, key=lambda u: u["id"])
# [{'id': 1, 'name': 'Ana'}, {'id': 2, 'name': 'Ben'}]
\`\`\`

Overall it runs in O(n) time. One thing to keep in mind: the markers must be **hashable**. Without a \`key\`, calling it on a list of dicts or lists raises a \`TypeError\` — which is exactly where the \`key\` parameter comes to the rescue.`
					},
					{
						role: 'user',
						content: `Why not just use \`list(set(items))\`?`
					},
					{
						role: 'assistant',
						content: `Good question — \`list(set(items))\` is shorter, but it behaves differently in two important ways:

1. **It doesn't preserve order.** Sets are unordered, so \`list(set([3, 1, 3, 2]))\` may well give you \`[1, 2, 3]\`. If order matters (and it usually does for things like user input or log lines), that's a bug waiting to happen.
2. **It can't take a key.** There's no way to dedupe case-insensitively or by a field.

If you just need order-preserving deduplication without a key, there's a neat one-liner. Dictionaries keep insertion order (guaranteed since Python 3.7), so their keys work as an "ordered set":

\`\`\`python
items = [3, 1, 3, 2, 1]
list(dict.fromkeys(items))
# [3, 1, 2]
\`\`\`

A good rule of thumb:

- Use \`list(dict.fromkeys(items))\` for simple, hashable items.
- Use \`dedupe(items, key=...)\` when you need to compare by a derived value.
- Use \`set(items)\` only when order doesn't matter and you mainly need fast membership checks.`
					}
				]
			},
			'zh-CN': {
				title: '这个 Python 去重函数是干什么的？',
				messages: [
					{
						role: 'user',
						content: `能帮我解释一下这个 Python 函数是做什么的吗？

\`\`\`python
def dedupe(items, key=None):
    seen = set()
    result = []
    for item in items:
        marker = key(item) if key else item
        if marker not in seen:
            seen.add(marker)
            result.append(item)
    return result
\`\`\``
					},
					{
						role: 'assistant',
						content: `这个函数的作用是给列表去重，**并且保留原来的顺序**——每个元素只保留第一次出现的那个。

它的工作过程如下：

- \`seen\` 是一个集合，用来记住哪些值已经出现过。集合的成员判断非常快（平均 O(1)）。
- \`result\` 按原顺序收集需要保留的元素。
- 对于每个 \`item\`，函数会先算出一个 \`marker\`（标记）：如果传入了 \`key\` 函数，标记就是 \`key(item)\`；否则就是元素本身。
- 如果这个标记之前没出现过，就把它记下来，并保留该元素；之后遇到标记相同的元素则直接跳过。

可选参数 \`key\` 让这个函数非常灵活。比如可以忽略大小写去重，或者按字典的某个字段去重：

\`\`\`python
dedupe([3, 1, 3, 2, 1])
# [3, 1, 2]

dedupe(["Apple", "apple", "Banana"], key=str.lower)
# ['Apple', 'Banana']

users = [
    {"id": 1, "name": "Ana"},
    {"id": 2, "name": "Ben"},
    {"id": 1, "name": "Ana (duplicate)"},
]
dedupe(users, key=lambda u: u["id"])
# [{'id': 1, 'name': 'Ana'}, {'id': 2, 'name': 'Ben'}]
\`\`\`

整体时间复杂度是 O(n)。需要注意的一点是：标记必须是**可哈希的**。如果不传 \`key\`，直接对字典列表或嵌套列表调用会抛出 \`TypeError\`——这正是 \`key\` 参数派上用场的时候。`
					},
					{
						role: 'user',
						content: `为什么不直接用 \`list(set(items))\` 呢？`
					},
					{
						role: 'assistant',
						content: `好问题！\`list(set(items))\` 确实更短，但它在两个关键点上表现不同：

1. **不保证顺序。** 集合是无序的，\`list(set([3, 1, 3, 2]))\` 很可能返回 \`[1, 2, 3]\`。如果顺序很重要（比如处理用户输入或日志时，通常都很重要），这就埋下了一个隐患。
2. **不支持 key。** 没办法忽略大小写去重，也没办法按某个字段去重。

如果只是想保留顺序地去重、不需要 key，有一个很简洁的写法。字典会保留插入顺序（从 Python 3.7 起由语言规范保证），所以可以把字典的键当作“有序集合”来用：

\`\`\`python
items = [3, 1, 3, 2, 1]
list(dict.fromkeys(items))
# [3, 1, 2]
\`\`\`

简单总结一下怎么选：

- 元素简单且可哈希：用 \`list(dict.fromkeys(items))\`。
- 需要按某个派生值比较：用 \`dedupe(items, key=...)\`。
- 不在乎顺序、主要是为了快速判断成员：才用 \`set(items)\`。`
					}
				]
			}
		}
	},

	// ─────────────── Translation: business email ───────────────
	{
		promptSlug: 'translation-email',
		text: {
			en: {
				title: 'Translating an email to a supplier',
				messages: [
					{
						role: 'user',
						content: `Can you translate this email into Chinese? It's for a new supplier in Shenzhen.

"Hi Mr. Chen,

Thank you for sending the samples so quickly. Our team tested them this week and we're very happy with the quality. We'd like to place a trial order of 300 units. Could you confirm the unit price and the earliest delivery date?

Best regards,
Sarah Miller"`
					},
					{
						role: 'assistant',
						content: `Here's a natural, professional Chinese version:

> 陈总您好：
>
> 感谢您这么快就寄来了样品。我们团队本周已完成测试，对产品质量非常满意。我们希望先下一笔 300 件的试订单，麻烦您确认一下单价和最早的交货日期。
>
> 祝商祺！
>
> Sarah Miller

A few notes on the choices I made:

- **陈总 (Chén zǒng):** in Chinese business settings, addressing a company owner or senior manager as surname + 总 is common and warmer than 陈先生 (Mr. Chen). If you're not sure of his role, 陈先生 is a safe, polite alternative.
- **祝商祺！** is a classic business sign-off meaning roughly "wishing you a prosperous business." For a more casual tone, **祝好！** ("all the best") works too.
- **"Trial order"** is translated as **试订单**, the standard term suppliers will recognize.
- I added **麻烦您** ("may I trouble you to") before the request, which softens it the way "Could you..." does in English.`
					},
					{
						role: 'user',
						content: `He replied in Chinese. What does this say?

"收到，谢谢！单价按之前报的 12.5 美元，300 件的话下月 10 号左右可以出货。另外首单需要预付 30% 定金，余款发货前付清。"`
					},
					{
						role: 'assistant',
						content: `Here's the translation:

> Got it, thank you! The unit price is US$12.50, as quoted before. For 300 units, we can ship around the 10th of next month. Also, the first order requires a 30% deposit in advance, with the balance paid before shipment.

**Key points to note:**

- **Price:** US$12.50 per unit × 300 units = **US$3,750** in total.
- **Ship date:** *around* the 10th of next month — 左右 means "approximately," so ask for a firm date if your schedule is tight. Also note this is the **ship** date, not the arrival date; add transit time.
- **Payment terms:** a 30% deposit (**US$1,125**) upfront, and the remaining 70% (**US$2,625**) before the goods ship. This is a very common arrangement for first orders with Chinese suppliers.

If you'd like, I can draft a short reply in Chinese confirming the order and asking for a proforma invoice (形式发票) so your finance team can pay the deposit.`
					}
				]
			},
			'zh-CN': {
				title: '把给客户的邮件翻译成英文',
				messages: [
					{
						role: 'user',
						content: `帮我把这封邮件翻译成英文，是发给美国客户的：

“Miller 女士您好：

感谢您上周来访。样品已于今天通过顺丰国际寄出，运单号是 SF1234567890，预计 5 个工作日内送达。收到后如有任何问题，请随时与我联系。

祝好！
陈明”`
					},
					{
						role: 'assistant',
						content: `下面是地道、专业的英文版本：

> Dear Ms. Miller,
>
> Thank you for visiting us last week. The samples were shipped today via SF Express International (tracking number: SF1234567890) and should arrive within 5 business days.
>
> If you have any questions once they arrive, please feel free to reach out.
>
> Best regards,
>
> Ming Chen

几点说明：

- **称呼：** 英文商务邮件中，对女性统一用 **Ms.** 最稳妥，不必去猜对方是否已婚（Mrs. / Miss）。
- **“如有任何问题，请随时与我联系”** 译为 *please feel free to reach out*，比逐字直译的 *please contact me at any time* 更自然，也更符合美式职场语气。
- **署名：** 英文习惯名在前、姓在后，所以写成 **Ming Chen**。如果你想保留姓在前的顺序，可以写成 **CHEN Ming**，用大写标明姓氏，避免对方混淆。
- **“祝好！”** 对应 *Best regards*，是英文邮件里最常用、也最不容易出错的结尾。`
					},
					{
						role: 'user',
						content: `客户回复了：

"Thanks, Ming! Got the tracking number. Once the samples arrive, we'll run them by our QA team and circle back with feedback by the end of the month. Could you also send over your latest price list?"

这里的 run them by 和 circle back 是什么意思？`
					},
					{
						role: 'assistant',
						content: `整封回复的意思是：

> 谢谢你，Ming！运单号收到了。样品到了之后，我们会请质检团队看一看，月底前给你反馈。另外，能不能把你们最新的价格表也发给我们？

两个短语的具体含义：

- **run something by someone：** 把某件事拿给某人过目、听听对方的意见。*run them by our QA team* 就是“让质检团队看看、评估一下”，语气比较轻松，并不是正式的审批流程。
- **circle back：** 职场常用语，意思是“之后再回来跟进、答复”。*circle back with feedback by the end of the month* 就是“月底前回来给你反馈”。

另外，客户直接称呼你 **Ming**，说明对方希望用比较轻松的语气沟通。如果她在署名里只写了名字（比如 Sarah），你回复时也可以直接用 “Hi Sarah” 开头。

别忘了把价格表作为附件发过去。需要的话，我可以帮你起草一封简短的英文回复。`
					}
				]
			}
		}
	},

	// ─────────────── Study: compound interest (tables) ───────────────
	{
		promptSlug: 'study-explain',
		text: {
			en: {
				title: 'How compound interest works',
				messages: [
					{
						role: 'user',
						content: `Can you explain compound interest in simple terms? I get that it's "interest on interest," but why does it make such a big difference?`
					},
					{
						role: 'assistant',
						content: `Sure! **Compound interest** means you earn interest not only on the money you put in, but also on the interest you've already earned. Each year, the interest is added to the pile, and next year's interest is calculated on that bigger pile.

Compare it with **simple interest**, where you only ever earn interest on the original amount. Here's what happens to $10,000 at 5% a year:

| Year | Simple interest | Compound interest (yearly) |
|---:|---:|---:|
| 1 | $10,500 | $10,500 |
| 5 | $12,500 | $12,763 |
| 10 | $15,000 | $16,289 |
| 20 | $20,000 | $26,533 |
| 30 | $25,000 | $43,219 |

In year 1 there's no difference at all. But the gap keeps widening, because the compound balance grows by a *percentage* of an ever-larger number, while simple interest adds the same $500 every year. After 30 years, compounding has earned you more than **twice** as much interest: $33,219 versus $15,000.

The formula is:

**Final amount = P × (1 + r)ⁿ**

where *P* is the starting amount, *r* is the yearly rate (5% = 0.05), and *n* is the number of years.

A handy shortcut is the **Rule of 72**: divide 72 by the interest rate to estimate how many years it takes to double your money. At 5%, that's 72 ÷ 5 ≈ 14.4 years (the exact answer is about 14.2).

**In one sentence:** compounding rewards time — the longer you leave the money alone, the faster it grows.

*Quick check:* at 8% a year, roughly how long would it take to double your money?`
					},
					{
						role: 'user',
						content: `About 9 years? And what changes if the interest is compounded monthly instead of yearly?`
					},
					{
						role: 'assistant',
						content: `Exactly right — 72 ÷ 8 = 9 years.

With **monthly compounding**, the bank splits the yearly rate into 12 pieces and applies one each month, so interest starts earning interest sooner. The formula becomes:

**Final amount = P × (1 + r/12)¹²ⁿ**

Here's $10,000 at 5% for 10 years with different compounding frequencies:

| Compounding | Balance after 10 years | Effective annual rate |
|---|---:|---:|
| Yearly | $16,288.95 | 5.00% |
| Monthly | $16,470.09 | 5.12% |
| Daily | $16,486.65 | 5.13% |

Two takeaways:

1. **More frequent compounding helps, but only a little.** Going from yearly to monthly adds about $181 over 10 years; going from monthly to daily adds just $17 more.
2. **That's why banks advertise the APY** (annual percentage yield), which already includes the compounding effect. When comparing savings accounts, compare APYs, not headline rates.

The rate and the length of time matter far more than how often interest is compounded.`
					},
					{
						role: 'user',
						content: `That makes sense. What if I also add $200 every month on top of the initial $10,000?`
					},
					{
						role: 'assistant',
						content: `That's where compounding really shines, because every new deposit starts compounding too. Assuming 5% a year, compounded monthly, with $200 added at the end of each month:

| After | Total you put in | Balance | Interest earned |
|---:|---:|---:|---:|
| 10 years | $34,000 | $47,527 | $13,527 |
| 20 years | $58,000 | $109,333 | $51,333 |
| 30 years | $82,000 | $211,129 | $129,129 |

Look at the last column. In the first 10 years, interest adds about $13,500. Between years 20 and 30, it adds almost **$78,000** — even though your monthly deposit never changed. By year 30, the interest earned is more than one and a half times everything you contributed.

What this means in practice:

1. **Start early.** Time does most of the heavy lifting, so the years at the beginning are the most valuable.
2. **Be consistent.** Small, automatic monthly deposits add up to far more than occasional large ones.
3. **Be realistic.** A savings account rate may not stay at 5%, and investments like index funds can go up and down year to year. Inflation and taxes also reduce your real return, so treat these numbers as an illustration rather than a promise.

If you'd like, I can show how the result changes with a different rate or monthly amount.`
					}
				]
			},
			'zh-CN': {
				title: '复利到底是怎么回事',
				messages: [
					{
						role: 'user',
						content: `能用简单的话给我讲讲复利吗？我知道它是“利滚利”，但不太明白为什么差距会那么大。`
					},
					{
						role: 'assistant',
						content: `当然可以！**复利** 的意思是：你不仅能从本金上赚到利息，之前赚到的利息也会继续生利息。每年的利息都会并入本金，下一年就按这个更大的数字来计算利息。

与之相对的是 **单利**：永远只按最初的本金计算利息。我们来看看 10,000 元按年利率 5% 会怎样增长：

| 年数 | 单利 | 复利（按年计息） |
|---:|---:|---:|
| 1 | 10,500 元 | 10,500 元 |
| 5 | 12,500 元 | 12,763 元 |
| 10 | 15,000 元 | 16,289 元 |
| 20 | 20,000 元 | 26,533 元 |
| 30 | 25,000 元 | 43,219 元 |

第一年两者完全一样。但差距会越拉越大，因为复利每年增长的是一个不断变大的数字的 *百分比*，而单利每年只固定增加 500 元。30 年后，复利赚到的利息是单利的 **两倍多**：33,219 元对比 15,000 元。

计算公式是：

**最终金额 = P × (1 + r)ⁿ**

其中 *P* 是本金，*r* 是年利率（5% 即 0.05），*n* 是年数。

还有一个很实用的估算方法叫 **72 法则**：用 72 除以年利率，大致就是本金翻倍所需的年数。年利率 5% 时，72 ÷ 5 ≈ 14.4 年（精确值约为 14.2 年）。

**一句话总结：** 复利奖励的是时间——钱放得越久，增长得越快。

*小测验：* 如果年利率是 8%，本金大约多少年能翻倍？`
					},
					{
						role: 'user',
						content: `大约 9 年？如果按月计息而不是按年计息，会有什么不同？`
					},
					{
						role: 'assistant',
						content: `完全正确——72 ÷ 8 = 9 年。

**按月计息** 时，银行会把年利率平均分成 12 份，每个月结算一次，这样利息会更早开始“生利息”。公式变为：

**最终金额 = P × (1 + r/12)¹²ⁿ**

下面是 10,000 元、年利率 5%、存 10 年，在不同计息频率下的结果：

| 计息方式 | 10 年后余额 | 实际年化收益率 |
|---|---:|---:|
| 按年 | 16,288.95 元 | 5.00% |
| 按月 | 16,470.09 元 | 5.12% |
| 按日 | 16,486.65 元 | 5.13% |

两个要点：

1. **计息越频繁越有利，但差别不大。** 从按年变成按月，10 年多赚约 181 元；从按月变成按日，只多了 17 元左右。
2. **所以比较理财产品时要看“实际年化收益率”**，它已经把复利效应算进去了，比单纯看名义利率更靠谱。

真正起决定作用的是利率高低和时间长短，而不是计息的频率。`
					},
					{
						role: 'user',
						content: `明白了。如果在这 10,000 元的基础上，我每个月再多存 200 元呢？`
					},
					{
						role: 'assistant',
						content: `这正是复利威力最大的地方，因为每一笔新存入的钱也会开始利滚利。假设年利率 5%、按月计息，每月月底存入 200 元：

| 时间 | 累计投入 | 账户余额 | 赚到的利息 |
|---:|---:|---:|---:|
| 10 年 | 34,000 元 | 47,527 元 | 13,527 元 |
| 20 年 | 58,000 元 | 109,333 元 | 51,333 元 |
| 30 年 | 82,000 元 | 211,129 元 | 129,129 元 |

重点看最后一列。前 10 年，利息只带来约 13,500 元；而第 20 年到第 30 年这 10 年间，利息增加了将近 **78,000 元**——尽管你每月存的钱一分都没变。到第 30 年，赚到的利息已经超过你全部投入的一倍半。

落到实际行动上：

1. **尽早开始。** 时间承担了大部分“工作”，越早的那几年越宝贵。
2. **坚持定投。** 每月自动存一小笔，长期下来远比偶尔存一大笔更有效。
3. **保持理性。** 存款利率未必能一直保持 5%，指数基金等投资的收益每年也会有涨有跌；再加上通胀和税费，实际收益会更低。这些数字只是示意，并不是承诺。

需要的话，我可以帮你算算换一个利率或月存金额会是什么结果。`
					}
				]
			}
		}
	}
];
